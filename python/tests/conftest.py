"""Fixtures of the simnas Python tests.

Hermetic like the C++ tests: each test gets its own probe store and cache under pytest's temp
folder, and the data folder is the C++ tests' fixture folder (a made-up benchmark written by
the program simnas_fixture_data, $SIMNAS_FIXTURE_DATA_WRITER). Tests marked `data` read the real
data folder ($SIMNAS_DATA) instead; CTest runs them apart (label data).
"""

import os
import subprocess

import pytest

import simnas


def pytest_configure(config):
    config.addinivalue_line("markers", "data: reads the real data folder ($SIMNAS_DATA)")


@pytest.fixture(scope="session")
def fixture_data(tmp_path_factory):
    writer = os.environ.get("SIMNAS_FIXTURE_DATA_WRITER")
    if not writer:
        pytest.fail("SIMNAS_FIXTURE_DATA_WRITER is not set (run the tests through CTest)")
    folder = tmp_path_factory.mktemp("fixture-data")
    subprocess.run([writer, str(folder)], check=True)
    return folder


@pytest.fixture(autouse=True)
def workspace(request, tmp_path, fixture_data):
    """Configures simnas for one test: its own store and cache; fixture data unless marked `data`."""
    if request.node.get_closest_marker("data"):
        data = os.environ.get("SIMNAS_DATA")
        if not data or not os.path.isdir(os.path.join(data, "help-nasbench201")):
            pytest.skip("needs the data folder ($SIMNAS_DATA)")
    else:
        data = str(fixture_data)
    env = simnas.configure(data=data, store=str(tmp_path / "probes.sqlite"), cache=str(tmp_path / "cache"),
                           registry=str(tmp_path / "no-registry.json"))
    yield env
    simnas.configure()


@pytest.fixture
def cli():
    """Runs the simnas binary of the same build (no shell)."""
    binary = os.environ.get("SIMNAS_CLI")
    if not binary:
        pytest.fail("SIMNAS_CLI is not set (run the tests through CTest)")

    def run(*args, check=True):
        return subprocess.run([binary, *args], check=check, capture_output=True, text=True)

    return run
