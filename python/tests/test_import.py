"""Importing simnas loads no runtime: LibTorch, OpenCV and MPI come with the calls that use them."""

import os
import subprocess
import sys


def loaded_after(code):
    script = code + "\nprint(open('/proc/self/maps').read())"
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True,
                         env=dict(os.environ))
    return out.stdout


def test_import_loads_no_runtime():
    maps = loaded_after("import simnas")
    assert "libsimnas.so" in maps
    for runtime in ("libtorch_cpu", "libopencv_dnn", "libmpi", "libsimnas_torch", "libsimnas_opencv"):
        assert runtime not in maps, runtime


def test_a_table_search_loads_no_runtime_and_an_export_loads_libtorch(tmp_path, fixture_data):
    search = loaded_after(
        "import simnas; simnas.configure(data=%r, store=%r); simnas.search(device='table:fpga', budget_ms=5)"
        % (str(fixture_data), str(tmp_path / "p.sqlite"))
    )
    assert "libsimnas.so" in search and "libtorch_cpu" not in search
    export = loaded_after("import simnas; simnas.export(simnas.Arch.parse('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|'))")
    assert "libsimnas_torch" in export and "libtorch_cpu" in export
