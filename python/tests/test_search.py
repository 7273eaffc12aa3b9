"""search: the CLI's search in Python, a device written in Python, Ctrl-C, resuming."""

import json
import os
import signal
import threading
import time

import pytest

import simnas


def test_a_table_search_answers_as_the_cli_does(cli, workspace):
    r = simnas.search(device="table:pixel3", budget_ms=20, run_id="same")
    assert r.found and r.feasible and r.latency_ms <= 20
    assert r.arch == simnas.arch(r.index)
    assert len(r.probes) == r.probes_used <= 10
    assert r.report == json.loads(r.json)
    assert r.report["arch"] == str(r.arch)
    out = cli("--data", workspace["data"], "--store", workspace["store"], "--cache", workspace["cache"],
              "search", "--device", "table:pixel3", "--budget-ms", "20", "--run-id", "same", "--json")
    from_cli = json.loads(out.stdout)
    for key in ("arch", "index", "latency_ms", "feasible", "probes_used", "trajectory", "strategy", "device"):
        assert from_cli[key] == r.report[key], key
    assert "answer" in str(r) and str(r.arch) in str(r)


def test_every_strategy_answers_within_its_probes():
    for name in simnas.strategies():
        if name in ("oracle", "controller-picker"):  # reports only; no NAS-Bench-201 picker model is shipped
            continue
        r = simnas.search(device="table:fpga", budget_ms=5, probes=5, strategy=name, seed=1)
        assert r.strategy == name
        assert r.probes_used <= 5
        assert len(r.scores) == len(r.probes)


def test_an_unknown_strategy_and_fbnet_without_a_budget_are_parse_errors():
    with pytest.raises(simnas.ParseError, match="unknown strategy"):
        simnas.search(device="table:fpga", strategy="magic")
    with pytest.raises(simnas.ParseError, match="budget"):
        simnas.search(device="table:fpga", space="fbnet")


def test_a_python_device_is_called_once_per_probe_and_never_for_replayed_probes():
    table = simnas.latency_table("pixel3")
    calls = []

    def timing(arch):
        calls.append(str(arch))
        return float(table[simnas.index_of(arch)])

    r = simnas.search(device=timing, budget_ms=20, run_id="py-1")
    assert r.feasible and r.measured_now == len(r.probes) == len(calls)
    assert len(set(calls)) == len(calls)
    assert [p["latency_ms"] for p in r.probes] == [float(table[p["index"]]) for p in r.probes]
    calls.clear()
    again = simnas.search(device=timing, budget_ms=20, run_id="py-1")
    assert calls == []
    assert again.measured_now == 0 and all(p["replayed"] for p in again.probes)
    assert str(again.arch) == str(r.arch)


def test_ctrl_c_stops_a_slow_python_device_search_promptly_and_resume_replays_its_probes():
    table = simnas.latency_table("pixel3")
    calls = []
    sent = []

    def slow(arch):
        calls.append(str(arch))
        if len(calls) == 3 and not sent:  # Ctrl-C while the third probe is being measured
            sent.append(time.monotonic())
            threading.Timer(0.1, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        time.sleep(0.5)
        return float(table[simnas.index_of(arch)])

    with pytest.raises(KeyboardInterrupt) as stopped:
        simnas.search(device=slow, budget_ms=10, run_id="slow-1")
    waited = time.monotonic() - sent[0] - 0.1
    assert isinstance(stopped.value, simnas.Interrupted)
    assert "run_id='slow-1'" in str(stopped.value)
    assert waited < 1.0, f"KeyboardInterrupt {waited:.2f} s after Ctrl-C"
    assert len(calls) == 3
    calls.clear()
    resumed = simnas.search(device=slow, budget_ms=10, run_id="slow-1")
    # The two probes measured before the interruption come back from the store; the one cut
    # short was never measured, so it is measured now.
    assert [p["replayed"] for p in resumed.probes[:2]] == [True, True]
    assert not set(str(p["arch"]) for p in resumed.probes[:2]) & set(calls)
    assert resumed.measured_now == len(calls) == resumed.probes_used - 2


def test_a_fbnet_search_on_a_python_device(tmp_path):
    pytest.importorskip("numpy")
    # FBNet needs HELP's FBNet tables: without them the search says which file is missing.
    with pytest.raises(simnas.DataError, match="help-fbnet"):
        simnas.search(device=lambda arch: 1.0, budget_ms=5, space="fbnet")


def test_ctrl_c_stops_a_long_library_loop_and_the_same_call_resumes(tmp_path):
    # measure_all on a slow external program: the library's own loop and subprocess runner see
    # the interruption (no Python runs meanwhile).
    script = tmp_path / "slow.sh"
    script.write_text("#!/bin/sh\nsleep 0.3\necho 2.5\n")
    script.chmod(0o755)
    out = tmp_path / "slow.csv"
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(simnas.Interrupted):
        simnas.measure_all(device=f"cmd:{script} {{arch}}", sample=12, out=str(out))
    assert time.monotonic() - started < 1.0 + 1.0
    timer.join()
    written = [line for line in out.read_text().splitlines() if line[:1].isdigit()]
    assert 1 <= len(written) < 12
    done = simnas.measure_all(device=f"cmd:{script} {{arch}}", sample=12, out=str(out))
    assert done["written"] == 12 and done["measured_now"] == 12 - len(written)
