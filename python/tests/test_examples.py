"""The examples under python/examples run, on the fixture data folder, as the tests' own searches."""

import importlib.util
import math
import os
import pathlib
import struct
import subprocess
import sys
import zlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(f"simnas_example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def png_size(data):
    """(width, height) of a PNG whose every chunk's CRC checks and which ends with IEND; else AssertionError."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, kinds, size = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert len(body) == length and zlib.crc32(kind + body) == crc, f"bad {kind} chunk"
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and b"IDAT" in kinds and kinds[-1] == b"IEND", kinds
    return size


def test_a_search_timed_in_process_by_opencv():
    try:
        import cv2  # noqa: F401
    except ImportError:
        pytest.fail("the OpenCV example needs OpenCV's Python binding (Debian: python3-opencv; run.sh installs it)")
    cv2.setNumThreads(1)
    example = load_example("opencv_device")
    result, measured = example.search_with_opencv(budget_ms=5.0, probes=3, runs=3)
    # Latencies are this machine's: only their form is asserted, never their values.
    assert result.found and result.device == "python:opencv-python-cpu"
    assert 1 <= len(result.probes) <= 3
    # One call per probe (a fresh store: nothing replayed), in probe order, each probe the value measured.
    assert result.measured_now == len(result.probes) == len(measured)
    assert [str(p["arch"]) for p in result.probes] == [arch for arch, _ in measured]
    assert not any(p["replayed"] for p in result.probes)
    assert all(math.isfinite(ms) and ms > 0 for _, ms in measured)
    assert [p["latency_ms"] for p in result.probes] == [ms for _, ms in measured]
    latencies = [ms for _, ms in measured]
    assert result.latency_ms in latencies
    # The answer follows from the measurements: feasible when one was within the budget, else the fastest.
    assert result.feasible == any(ms <= 5.0 for ms in latencies)
    assert result.feasible or result.latency_ms == min(latencies)


def test_the_plot_example_writes_a_png_of_the_probes(tmp_path, workspace):
    out = tmp_path / "probes.png"
    env = dict(os.environ)
    env.update(SIMNAS_DATA=workspace["data"], SIMNAS_STORE=workspace["store"], SIMNAS_CACHE=workspace["cache"],
               SIMNAS_DEVICES=str(tmp_path / "no-registry.json"), HOME=str(tmp_path),
               MPLCONFIGDIR=str(tmp_path / "matplotlib"), XDG_CACHE_HOME=str(tmp_path / "cache-home"))
    run = subprocess.run([sys.executable, str(EXAMPLES / "plot_probes.py"), "--out", str(out), "--probes", "6"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert out.is_file() and out.stat().st_size > 0
    width, height = png_size(out.read_bytes())
    assert (width, height) == (800, 500)
    assert f"wrote {out}" in run.stdout and "on table:pixel3" in run.stdout
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".png") == ["probes.png"]
