"""`cmake --install` lays out a prefix whose Python module imports and searches from any folder."""

import os
import subprocess
import sys

import pytest


def test_the_installed_module_searches_from_another_folder(tmp_path, fixture_data):
    cmake, build = os.environ.get("SIMNAS_CMAKE_COMMAND"), os.environ.get("SIMNAS_BUILD_DIR")
    if not cmake or not build:
        pytest.fail("SIMNAS_CMAKE_COMMAND / SIMNAS_BUILD_DIR are not set (run the tests through CTest)")
    prefix = tmp_path / "prefix"
    subprocess.run([cmake, "--install", build, "--prefix", str(prefix)], check=True, capture_output=True)
    site = prefix / os.environ["SIMNAS_PYTHON_INSTALL_DIR"]
    assert (site / "simnas" / "__init__.pyi").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "PYTHONPATH": str(site)}
    script = (
        "import simnas, sys\n"
        f"simnas.configure(data={str(fixture_data)!r}, store='p.sqlite')\n"
        "r = simnas.search(device='table:fpga', budget_ms=5)\n"
        "assert r.feasible, r\n"
        "assert simnas.__file__.startswith(sys.argv[1]), simnas.__file__\n"
        "assert simnas.environment()['models'].startswith(sys.argv[2]), simnas.environment()\n"
        "assert len(simnas.export(simnas.arch(0))) > 10000\n"
    )
    subprocess.run([sys.executable, "-c", script, str(site), str(prefix)], check=True, cwd=elsewhere, env=env)
