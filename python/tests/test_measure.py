"""measure (through the probe store), measure_all (a resumable table CSV) and export."""

import simnas


def test_measure_records_a_live_measurement_and_replays_it_by_run_id():
    calls = []

    def timing(arch):
        calls.append(arch)
        return 7.0

    first = simnas.measure(simnas.arch(5), device=timing, run_id="m1")
    assert first["latency_ms"] == 7.0 and not first["replayed"] and first["index"] == 5
    again = simnas.measure(simnas.arch(5), device=timing, run_id="m1")
    assert again["replayed"] and again["latency_ms"] == 7.0
    assert len(calls) == 1


def test_measure_all_writes_a_table_that_table_path_replays(tmp_path):
    out = tmp_path / "mine.csv"
    done = simnas.measure_all(device="table:fpga", sample=20, seed=3, out=str(out))
    assert done["written"] == 20 and done["missing"] == [] and out.is_file()
    replay = simnas.device(f"table:{out}")
    fpga = simnas.latency_table("fpga")
    rows = [line.split(",") for line in out.read_text().splitlines() if line and line[0].isdigit()]
    assert len(rows) == 20
    for row in rows[:5]:
        index = int(row[0])
        assert replay.measure(simnas.arch(index))["latency_ms"] == fpga[index]


def test_measure_all_rounds_take_the_median_of_each_architectures_measurements(tmp_path):
    # A Python device whose k-th measurement of an architecture is its base times factors[k].
    factors = [1.3, 1.0, 0.8]
    seen = {}

    def timing(arch):
        k = seen.get(str(arch), 0)
        seen[str(arch)] = k + 1
        return 2.0 * factors[k]

    out = tmp_path / "rounds.csv"
    done = simnas.measure_all(device=timing, sample=6, seed=1, out=str(out), rounds=3)
    assert done["written"] == 6 and done["measured_now"] == 18 and done["missing"] == []
    assert sorted(seen.values()) == [3] * 6
    rows = [line.split(",") for line in out.read_text().splitlines() if line and line[0].isdigit()]
    assert [float(row[1]) for row in rows] == [2.0] * 6


def test_export_gives_bytes_or_writes_the_same_file(tmp_path):
    cell = simnas.arch(77)
    data = simnas.export(cell)
    assert isinstance(data, bytes) and len(data) > 10000
    info = simnas.export(cell, str(tmp_path / "c.onnx"))
    assert (tmp_path / "c.onnx").read_bytes() == data
    assert info["bytes"] == len(data) and info["input"][1] == [1, 3, 32, 32] and info["output"][1] == [1, 10]
    fbnet = simnas.export(simnas.Arch.parse("-".join(["k3_e3"] * 22), space="fbnet"), batch=2)
    assert isinstance(fbnet, bytes) and len(fbnet) > 10000


def test_export_refuses_bad_options():
    try:
        simnas.export(simnas.arch(0), batch=0)
    except simnas.ParseError as e:
        assert "batch" in str(e)
    else:
        raise AssertionError("exported a batch of 0")
