#!/usr/bin/env python3
"""Speed of the Python module (run: PYTHONPATH=build/python python3 bench/python_device_bench.py).

1. The overhead of one call of a device written in Python, as simnas sees it: Device.measure of
   a Python device whose function returns at once, minus Device.measure of a table device (the
   same binding path without the Python call). Target: <= 50 us.
2. simnas.search on a table device against `simnas search --json` of the same build, both by
   the search's in-process wall time (the report's wall_seconds). Target: within 10 %.
Prints medians over repeats; exits non-zero when a target is missed. Needs the data folder
($SIMNAS_DATA) and the CLI (build/simnas, or $SIMNAS_CLI).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import simnas


def per_call_us(fn, calls=20000, repeats=7):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - start) / calls * 1e6)
    return statistics.median(times)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    cli = os.environ.get("SIMNAS_CLI", os.path.join(here, "..", "build", "simnas"))
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "p.sqlite")
        simnas.configure(store=store, cache=os.path.join(tmp, "cache"))
        arch = simnas.arch(1234)
        python_device = simnas.PythonDevice(lambda a: 1.0, name="bench-noop")
        table_device = simnas.device("table:pixel3")
        py_us = per_call_us(lambda: python_device.measure(arch))
        table_us = per_call_us(lambda: table_device.measure(arch))
        overhead = py_us - table_us
        print(f"python device call overhead: {overhead:.2f} us per call (measure {py_us:.2f} us, "
              f"table device {table_us:.2f} us; median of 7 x 20000)")

        walls_py, walls_cli = [], []
        for i in range(9):
            r = simnas.search(device="table:pixel3", budget_ms=20, run_id=f"py-{i}")
            walls_py.append(r.wall_seconds)
            out = subprocess.run([cli, "--store", store, "search", "--device", "table:pixel3", "--budget-ms", "20",
                                  "--run-id", f"cli-{i}", "--json"], check=True, capture_output=True, text=True)
            walls_cli.append(json.loads(out.stdout)["wall_seconds"])
        py, cl = statistics.median(walls_py), statistics.median(walls_cli)
        print(f"table search in-process: python {py * 1e3:.2f} ms, CLI {cl * 1e3:.2f} ms (ratio {py / cl:.3f}; "
              f"median of 9)")
    load = open("/proc/loadavg").read().split()[:3]
    print(f"load average {' '.join(load)}")
    ok = overhead <= 50 and py <= 1.10 * cl
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
