"""Devices: every spec kind through the library's factory, the registry, and devices in Python."""

import json
import math
import os
import stat

import pytest

import simnas


def test_a_table_device_answers_its_table():
    d = simnas.device("table:pixel3")
    assert d.spec == "table:pixel3" and not d.is_live
    table = simnas.latency_table("pixel3")
    for index in (0, 42, 15624):
        assert d.measure(simnas.arch(index))["latency_ms"] == table[index]


def test_a_synthetic_device_is_deterministic_for_its_seed():
    a, b = simnas.device("synthetic:7"), simnas.device("synthetic:7")
    cell = simnas.arch(100)
    assert a.measure(cell)["latency_ms"] == b.measure(cell)["latency_ms"] > 0
    assert a.fingerprint == b.fingerprint != simnas.device("synthetic:8").fingerprint


def test_a_command_device_runs_its_program(tmp_path):
    script = tmp_path / "time.sh"
    script.write_text("#!/bin/sh\necho 3.25\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    d = simnas.device(f"cmd:{script} {{arch}}")
    assert d.is_live
    assert d.measure(simnas.arch(3))["latency_ms"] == 3.25


def test_registry_names_open_their_device(tmp_path, workspace):
    registry = tmp_path / "devices.json"
    registry.write_text(json.dumps({"devices": {"phone": {"spec": "table:pixel3", "description": "a phone"}}}))
    simnas.configure(data=workspace["data"], store=workspace["store"], cache=workspace["cache"], registry=str(registry))
    assert simnas.registry() == [{"name": "phone", "spec": "table:pixel3", "description": "a phone"}]
    assert simnas.device("phone").measure(simnas.arch(9)) == simnas.device("table:pixel3").measure(simnas.arch(9))


def test_bad_specs_are_one_line_errors():
    with pytest.raises(simnas.ParseError):
        simnas.device("synthetic:x")
    with pytest.raises(simnas.Error) as e:
        simnas.device("table:no_such_device")
    assert "\n" not in str(e.value)


def test_a_python_callable_and_an_object_with_measure_are_devices():
    calls = []

    def timing(arch):
        calls.append(arch)
        return 1.5

    class Runtime:
        def measure(self, arch):
            return 2.5

    d = simnas.PythonDevice(timing, name="mine")
    assert d.spec == "python:mine" and d.is_live
    assert d.measure(simnas.arch(1))["latency_ms"] == 1.5
    assert calls == [simnas.arch(1)]
    assert simnas.PythonDevice(Runtime()).measure(simnas.arch(1))["latency_ms"] == 2.5
    assert simnas.PythonDevice(Runtime()).spec.endswith("Runtime")


def test_a_python_device_may_get_the_onnx_file_of_the_network():
    seen = {}

    def timing(arch, onnx_path):
        seen["path"] = onnx_path
        with open(onnx_path, "rb") as f:
            seen["bytes"] = f.read()
        return 4.0

    d = simnas.PythonDevice(timing, name="onnx-user", onnx=True, dataset="cifar10")
    assert d.measure(simnas.arch(12))["latency_ms"] == 4.0
    assert os.path.isfile(seen["path"])
    assert seen["bytes"] == simnas.export(simnas.arch(12), dataset="cifar10")
    assert "onnx" in d.fingerprint


@pytest.mark.parametrize("answer", [-1.0, 0.0, math.nan, "fast", None])
def test_a_python_device_answering_no_latency_is_a_device_error(answer):
    d = simnas.PythonDevice(lambda arch: answer, name="liar")
    with pytest.raises(simnas.DeviceError, match="python:liar"):
        d.measure(simnas.arch(0))


def test_an_exception_in_a_python_device_is_a_device_error_naming_it():
    def broken(arch):
        raise RuntimeError("sensor unplugged")

    with pytest.raises(simnas.DeviceError, match="RuntimeError: sensor unplugged"):
        simnas.PythonDevice(broken, name="broken").measure(simnas.arch(0))


def test_anything_else_is_not_a_device():
    with pytest.raises(simnas.ParseError, match="expected a spec string"):
        simnas.search(device=42, budget_ms=5)
