#!/usr/bin/env python3
"""The live devices' timing, measured as a user meets it: separate `simnas` processes on this
machine (docs/timing.md holds the figures).

  bench/live_timing.py table DIR [--devices local,opencv] [--cells small,mid,large]
                                 [--processes 30] [--conditions idle,busy] [--srcc-sample 100]
                                 [--srcc-rounds 1]
  bench/live_timing.py record DIR [--devices local,opencv] [--cells small,large]
                                  [--configs 5/2,20/2,20/10] [--processes 5] [--seconds 30] [--busy]
  bench/live_timing.py replay DIR [--tolerances ...] [--quiets ...] [--caps ...]

Every process starts at a quiet moment: the script first waits until other users keep less
than --max-busy cores (default 0.25) busy over 0.5 s, and notes the load average.

table: for each device, cell (small = all skip_connect, mid = NATS-Bench 1234, large = 9930)
and condition (idle; busy = one competing busy-loop process spinning), --processes runs of
`simnas measure --json` with the default settings. The processes of one device share one cache
folder (the remembered quiet speed, as for one user). Prints answered/processes, the median
latency, max/min of the medians of the first 5 and of all processes (cross-process
repeatability), the median relative half-width of the 95% intervals, the median and largest
seconds per measurement (within the process, and the process's wall time), and with the busy
loop the largest deviation of a median from the idle median. Then two independent
`measure-all --sample N --seed 0` passes on local (separate stores and caches): their Spearman
correlation and seconds per cell; and `simnas --version`, the fixed cost of every process.
Results are kept in DIR (one JSON per process; a rerun resumes) and the table is printed as
Markdown.

record / replay choose the defaults. record runs `simnas -v measure` with the stopping rule
switched off (tolerance 1e-6, quiet 1000: every sample counts, none is ever enough) for
--seconds, once per device, cell, sample length (ms) and process, and keeps each process's
per-sample trace (`timing sample:` lines: when, the reference before and after, the target's
time per pass, the quiet speed). replay applies the harness's stopping rule
(src/simnas/devices/timing_harness.cpp: a sample counts when both references ran within `quiet`
of the quiet speed; counted samples are normalized by their references; answer when >= 10
samples and the 95% order-statistic interval of the median is within +-tolerance; refuse at the
cap) to every trace for every combination of settings, and prints per device, cell, sample
length and setting: answered/processes, the median seconds to answer (within the measurement;
the process's fixed cost is printed too), max/min of the answered medians across the idle
processes, and for the busy traces the largest deviation of a busy median from the idle
processes' median.
Needs: build/simnas (cmake --build build --target simnas_cli) and SIMNAS_DATA.
"""
import argparse
import collections
import itertools
import json
import math
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELLS = {
    "small": "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|",
    "mid": "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|",  # NATS-Bench 1234
    "large": "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",  # 9930
}
SAMPLE_RE = re.compile(r"timing sample: at ([0-9.]+) ms, reference ([0-9.]+) then ([0-9.]+) ms, "
                       r"target ([0-9.]+) ms x ([0-9]+), quiet ([0-9.]+) ms")


def cpu_ticks():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v), v[3] + v[4]  # total, idle + iowait


def wait_until_quiet(max_busy_cores=0.25, ncores=os.cpu_count() or 1, check_s=0.5):
    """Blocks until the other users of the machine keep less than max_busy_cores busy over check_s."""
    waited = 0
    while True:
        t0, i0 = cpu_ticks()
        time.sleep(check_s)
        t1, i1 = cpu_ticks()
        busy = ncores * (1 - (i1 - i0) / max(t1 - t0, 1))
        if busy < max_busy_cores:
            return waited
        waited += check_s


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def quiet_start(busy, max_busy):
    """Waits for a quiet moment (the busy loop, when given, paused meanwhile); (load, waited s)."""
    if busy is not None:
        busy.send_signal(signal.SIGSTOP)  # the quiet check is about the other users
        time.sleep(0.5)
    waited = wait_until_quiet(max_busy)
    if busy is not None:
        busy.send_signal(signal.SIGCONT)
        time.sleep(1)
    return load_average(), waited


def busy_loop():
    """One competing process spinning on one core."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def simnas(args, store, cache, verbose=False):
    """Runs the CLI; (CompletedProcess, wall seconds, cores kept busy meanwhile by everything else:
    the machine's busy time minus the process's own CPU time, per wall second)."""
    argv = [str(ROOT / "build" / "simnas")] + (["-v"] if verbose else []) + [
        "--data", os.environ.get("SIMNAS_DATA", "data"), "--store", str(store), "--cache", str(cache)] + args
    ticks = os.sysconf("SC_CLK_TCK")
    t0, i0 = cpu_ticks()
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    r = subprocess.run(argv, capture_output=True, text=True)
    wall = time.monotonic() - start
    t1, i1 = cpu_ticks()
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime)
    others = max(0.0, ((t1 - t0) - (i1 - i0)) / ticks - own) / wall
    return r, wall, others


def record(args):
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    busy = busy_loop() if args.busy else None
    try:
        configs = [tuple(float(x) for x in c.split("/")) for c in args.configs.split(",")]
        for k, device, cell, (sample, reference) in itertools.product(
                range(args.processes), args.devices.split(","), args.cells.split(","), configs):
            name = f"{device}-{cell}-{sample:g}-{reference:g}-{'busy' if args.busy else 'idle'}-{k}"
            if (out / f"{name}.json").exists():
                continue  # resumable
            load, waited = quiet_start(busy, args.max_busy)
            spec = (f"{device}:sample={sample:g},reference={reference:g},tolerance=0.000001,quiet=1000,"
                    f"max_wait={args.seconds:g}")
            started = time.time()
            # One cache per reference length: the remembered quiet speed holds the reference loop's passes.
            r, wall, others = simnas(["measure", "--device", spec, "--arch", CELLS[cell]], out / "probes.sqlite",
                                     out / f"cache-{device}-{reference:g}", verbose=True)
            samples = [[float(m.group(i)) for i in range(1, 7)] for m in SAMPLE_RE.finditer(r.stderr)]
            if not samples:
                sys.exit(f"{name}: no trace (exit {r.returncode}): {r.stderr[-400:]}")
            trace = {"device": device, "cell": cell, "sample_ms": sample, "reference_ms": reference,
                     "busy": args.busy, "process": k, "started": started, "load": load, "waited_s": waited,
                     "others": others, "wall_s": wall, "samples": samples}
            (out / f"{name}.json").write_text(json.dumps(trace))
            print(f"{name}: {len(samples)} samples, {wall:.1f} s, load {load:.2f}, waited {waited} s", flush=True)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()


def median_interval(values, confidence=0.95):
    """The harness's order-statistic interval of the median (timing_harness.cpp MedianInterval)."""
    n = len(values)
    tail = (1 - confidence) / 2
    cdf, k = 0.0, 0
    for j in range(n // 2 + 1):
        cdf += math.comb(n, j) * 0.5 ** n
        if cdf > tail:
            break
        k = j + 1
    if k < 1:
        return None
    v = sorted(values)
    return v[k - 1], v[n - k]


def replay(samples, quiets, tolerance, quiet_tolerance, cap_s, repeats=10, normalize=True, skip_ms=0):
    """(median ms, seconds) when the rule answers within the cap, else (None, seconds at the cap).
    quiets[i]: the quiet speed at sample i; samples before skip_ms do not count."""
    target, reference = [], []
    for (at_ms, before, after, t, _passes, _logged), quiet in zip(samples, quiets):
        if at_ms >= skip_ms and max(before, after) / quiet <= 1 + quiet_tolerance:
            target.append(t)
            reference.append((before + after) / 2)
            if len(target) >= repeats:
                # All counted samples at the latest quiet speed, as the harness reports them.
                values = [x * quiet / r if normalize else x for x, r in zip(target, reference)]
                med = statistics.median(values)
                interval = median_interval(values)
                if interval and max(med - interval[0], interval[1] - med) / med <= tolerance:
                    return med, at_ms / 1000
        if at_ms >= 1000 * cap_s:
            return None, at_ms / 1000
    return None, samples[-1][0] / 1000 if samples else 0


def quiet_speeds(traces, window):
    """Per trace, the quiet speed at each sample: the logged one (window 'logged'), else the fastest
    reference timing within `window` seconds before it, over all traces of the same device and
    reference loop in time order (as the remembered quiet speed shares it between processes);
    and whether the process started with a remembered speed."""
    if window == "logged":
        return {id(t): ([s[5] for s in t["samples"]], True) for t in traces}
    if window == "frozen":
        # The quiet speed the first process of a device learned (the one its first sample was
        # normalized to), kept by every later process (the harness's rule).
        result, learned = {}, {}
        for t in sorted(traces, key=lambda t: t["started"]):
            key = (t["device"], t.get("reference_ms", 2))
            remembered = key in learned
            learned.setdefault(key, t["samples"][0][5])
            result[id(t)] = ([learned[key]] * len(t["samples"]), remembered)
        return result
    w = float(window)
    pools = {}
    for t in traces:
        pools.setdefault((t["device"], t.get("reference_ms", 2)), []).append(t)
    result = {}
    for pool in pools.values():
        events = []  # (time s, reference ms, trace, sample index)
        for t in pool:
            offset = t["started"] + t["wall_s"] - t["samples"][-1][0] / 1000  # the process's startup
            for i, sample in enumerate(t["samples"]):
                events.append((offset + sample[0] / 1000, sample[2], t, i))
        events.sort(key=lambda e: e[0])
        window_min = collections.deque()  # (time, ms) with increasing ms
        for time_s, ms, t, i in events:
            if i == 0:
                earlier = [e for e in window_min if e[0] >= time_s - w]
                result[id(t)] = ([0.0] * len(t["samples"]), bool(earlier))
            while window_min and window_min[-1][1] >= ms:
                window_min.pop()
            window_min.append((time_s, ms))
            while window_min[0][0] < time_s - w:
                window_min.popleft()
            result[id(t)][0][i] = window_min[0][1]
    return result


def replay_all(args):
    traces = [json.loads(p.read_text()) for p in sorted(Path(args.dir).glob("*.json"))]
    traces = [t for t in traces if "samples" in t]
    groups = {}
    for t in traces:
        key = (t["device"], t["cell"], t["sample_ms"], t.get("reference_ms", 2))
        groups.setdefault(key, {}).setdefault(t["busy"], []).append(t)
    settings = list(itertools.product([float(x) for x in args.tolerances.split(",")],
                                      [float(x) for x in args.quiets.split(",")],
                                      [float(x) for x in args.caps.split(",")],
                                      [n == "1" for n in args.normalize.split(",")],
                                      args.windows.split(","),
                                      [float(x) for x in args.learn.split(",")],
                                      [int(x) for x in args.repeats.split(",")],
                                      [float(x) for x in args.skip.split(",")]))
    quiets = {w: quiet_speeds(traces, w) for w in args.windows.split(",")}
    print("device cell sample_ms reference_ms | tolerance quiet cap normalize window learn repeats skip_ms | "
          "idle: answered s_median max/min | busy: answered s_median worst_vs_idle | fixed_s | loads")
    for (device, cell, sample, ref_ms), by_busy in sorted(groups.items()):
        idle, busy = by_busy.get(False, []), by_busy.get(True, [])
        fixed = statistics.median(t["wall_s"] - t["samples"][-1][0] / 1000 for t in idle + busy)
        loads = ",".join(f"{t['load']:.1f}" for t in idle + busy)
        for tol, q, cap, norm, window, learn, repeats, skip in settings:
            row = (f"{device:6} {cell:5} {sample:3g} {ref_ms:3g} | {tol:5g} {q:5g} {cap:3g} {int(norm)} {window:>6} "
                   f"{learn:3g} {repeats:3d} {skip:4g} |")
            idle_medians = []
            for name, group in (("idle", idle), ("busy", busy)):
                if not group:
                    row += " - |"
                    continue
                results = []
                for t in group:
                    qs, remembered = quiets[window][id(t)]
                    results.append(replay(t["samples"], qs, tol, q, cap, repeats=repeats, normalize=norm,
                                          skip_ms=max(skip, 0 if remembered else 1000 * learn)))
                medians = [m for m, _ in results if m is not None]
                seconds = [s for m, s in results if m is not None]
                s_med = f"{statistics.median(seconds):5.2f}" if seconds else "    -"
                if name == "idle":
                    idle_medians = medians
                    spread = f"{max(medians) / min(medians):.3f}" if medians else "-"
                else:
                    ref = statistics.median(idle_medians) if idle_medians else None
                    spread = (f"{max(abs(m / ref - 1) for m in medians):.3f}" if medians and ref else "-")
                row += f" {len(medians)}/{len(group)} {s_med} {spread} |"
            print(f"{row} {fixed:.2f} | {loads}")


def spearman(a, b):
    """Spearman's rank correlation (ties get their mean rank)."""
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2
            i = j + 1
        return r
    ra, rb = ranks(a), ranks(b)
    ma, mb = statistics.fmean(ra), statistics.fmean(rb)
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    return cov / math.sqrt(sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb))


def read_csv_latencies(path):
    """{index: ms} of a measure-all CSV (comment lines start with '#')."""
    latencies = {}
    lines = [l for l in Path(path).read_text().splitlines() if l and not l.startswith("#")]
    header = lines[0].split(",")
    for line in lines[1:]:
        row = dict(zip(header, line.split(",")))
        latencies[int(row["index"])] = float(row["ms"])
    return latencies


def table(args):
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    for condition in args.conditions.split(","):
        busy = busy_loop() if condition == "busy" else None
        try:
            for device, cell in itertools.product(args.devices.split(","), args.cells.split(",")):
                for k in range(args.processes):
                    path = out / f"{device}-{cell}-{condition}-{k}.json"
                    if path.exists():
                        continue  # resumable
                    load, waited = quiet_start(busy, args.max_busy)
                    r, wall, others = simnas(["measure", "--device", device, "--arch", CELLS[cell], "--json"],
                                             out / "probes.sqlite", out / f"cache-{device}")
                    result = {"device": device, "cell": cell, "condition": condition, "process": k, "load": load,
                              "waited_s": waited, "others": others, "wall_s": wall, "exit": r.returncode}
                    if r.returncode == 0:
                        result.update({key: v for key, v in json.loads(r.stdout).items()
                                       if key in ("latency_ms", "interval_ms", "samples", "passes", "seconds")})
                    else:
                        result["error"] = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
                    path.write_text(json.dumps(result))
                    what = (f"{result['latency_ms']:.4f} ms" if r.returncode == 0 else "refused: " + result["error"])
                    print(f"{path.stem}: {wall:.1f} s, load {load:.2f}: {what[:300]}", flush=True)
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()

    # Two independent measure-all passes on local.
    for p in range(2):
        path = out / f"srcc-{p}.json"
        if args.srcc_sample <= 0 or path.exists():
            continue
        load, waited = quiet_start(None, args.max_busy)
        folder = out / f"srcc-{p}"
        folder.mkdir(exist_ok=True)
        r, wall, others = simnas(["measure-all", "--device", "local", "--sample", str(args.srcc_sample), "--seed",
                                  "0", "--rounds", str(args.srcc_rounds), "--out", str(folder / "measured.csv")],
                                 folder / "probes.sqlite", folder / "cache")
        if r.returncode != 0:
            sys.exit(f"measure-all pass {p} failed: {r.stderr.strip()[-400:]}")
        path.write_text(json.dumps({"load": load, "others": others, "wall_s": wall, "rounds": args.srcc_rounds,
                                    "latencies": read_csv_latencies(folder / "measured.csv")}))
        print(f"measure-all pass {p}: {wall:.0f} s, load {load:.2f}", flush=True)
    startup_path = out / "startup.json"
    if not startup_path.exists():
        load, _ = quiet_start(None, args.max_busy)
        walls = [simnas(["--version"], out / "probes.sqlite", out / "cache-version")[1] for _ in range(5)]
        startup_path.write_text(json.dumps({"load": load, "walls_s": walls}))
    print_table(out, args)


def print_table(out, args):
    results = {}
    for p in out.glob("*-*-*-*.json"):
        r = json.loads(p.read_text())
        if "condition" in r:
            results.setdefault((r["device"], r["cell"], r["condition"]), []).append(r)
    startup = json.loads((out / "startup.json").read_text())
    print(f"\n`simnas --version` (every process's fixed cost): median {statistics.median(startup['walls_s']):.2f} s "
          f"of 5, load {startup['load']:.2f}\n")
    print("| device | cell | machine | answered | median ms | max/min of 5 | max/min of all | ±% (median) | "
          "s per measurement (median, max) | s per process | vs idle | load at start | other cores busy |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for device, cell, condition in itertools.product(args.devices.split(","), args.cells.split(","),
                                                     args.conditions.split(",")):
        rs = sorted(results.get((device, cell, condition), []), key=lambda r: r["process"])
        if not rs:
            continue
        ok = [r for r in rs if r["exit"] == 0]
        meds = [r["latency_ms"] for r in ok]
        first5 = [r["latency_ms"] for r in rs[:5] if r["exit"] == 0]
        half = [max(r["latency_ms"] - r["interval_ms"][0], r["interval_ms"][1] - r["latency_ms"]) / r["latency_ms"]
                for r in ok if r.get("interval_ms")]
        secs = [r.get("seconds", r["wall_s"]) for r in rs]
        idle = [r["latency_ms"] for r in results.get((device, cell, "idle"), []) if r["exit"] == 0]
        vs_idle = (f"{100 * max(abs(m / statistics.median(idle) - 1) for m in meds):.1f}%"
                   if condition != "idle" and meds and idle else "")
        loads = [r["load"] for r in rs]
        others = [r.get("others", float("nan")) for r in rs]
        fmt_ratio = lambda v: f"{max(v) / min(v):.3f}" if v else "-"
        print(f"| {device} | {cell} | {condition} | {len(ok)}/{len(rs)} | "
              f"{statistics.median(meds) if meds else float('nan'):.4f} | {fmt_ratio(first5)} "
              f"({len(first5)}) | {fmt_ratio(meds)} | {100 * statistics.median(half) if half else float('nan'):.1f} | "
              f"{statistics.median(secs):.2f}, {max(secs):.2f} | {statistics.median(r['wall_s'] for r in rs):.2f} | "
              f"{vs_idle} | {min(loads):.2f}-{max(loads):.2f} | {statistics.median(others):.2f} "
              f"(max {max(others):.2f}) |")
    refusals = [r for rs in results.values() for r in rs if r["exit"] != 0]
    for r in refusals[:args.show_refusals]:
        print(f"\nrefused ({r['device']} {r['cell']} {r['condition']} #{r['process']}, {r['wall_s']:.1f} s): "
              f"{r['error']}")
    passes = [json.loads((out / f"srcc-{p}.json").read_text()) for p in range(2) if (out / f"srcc-{p}.json").exists()]
    if len(passes) == 2:
        common = sorted(set(passes[0]["latencies"]) & set(passes[1]["latencies"]))
        a = [passes[0]["latencies"][i] for i in common]
        b = [passes[1]["latencies"][i] for i in common]
        ratios = sorted(max(x, y) / min(x, y) for x, y in zip(a, b))
        print(f"\nmeasure-all --device local --sample {len(common)} --rounds {passes[0].get('rounds', 1)} twice: SRCC {spearman(a, b):.4f}; "
              f"max/min of a cell's two latencies: median {statistics.median(ratios):.3f}, "
              f"90th percentile {ratios[int(0.9 * (len(ratios) - 1))]:.3f}, largest {ratios[-1]:.3f}; "
              f"{passes[0]['wall_s'] / len(common):.2f} and {passes[1]['wall_s'] / len(common):.2f} s per cell; "
              f"load {passes[0]['load']:.2f} and {passes[1]['load']:.2f} at the start")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record")
    r.add_argument("dir")
    r.add_argument("--devices", default="local,opencv")
    r.add_argument("--cells", default="small,large")
    r.add_argument("--configs", default="5/2,20/2,20/10", help="sample/reference lengths (ms) to record")
    r.add_argument("--processes", type=int, default=5)
    r.add_argument("--seconds", type=float, default=30)
    r.add_argument("--busy", action="store_true")
    t = sub.add_parser("table")
    t.add_argument("dir")
    t.add_argument("--devices", default="local,opencv")
    t.add_argument("--cells", default="small,mid,large")
    t.add_argument("--conditions", default="idle,busy")
    t.add_argument("--processes", type=int, default=30)
    t.add_argument("--srcc-sample", type=int, default=100, help="cells of the two measure-all passes (0: none)")
    t.add_argument("--srcc-rounds", type=int, default=1, help="--rounds of the two measure-all passes")
    t.add_argument("--show-refusals", type=int, default=5)
    s = sub.add_parser("replay")
    s.add_argument("dir")
    s.add_argument("--tolerances", default="0.01,0.02,0.03")
    s.add_argument("--quiets", default="0.1,0.25,0.5")
    s.add_argument("--caps", default="5,10,20")
    s.add_argument("--normalize", default="1")
    s.add_argument("--windows", default="logged",
                   help="quiet-speed windows (s) to replay, 'logged', or 'frozen' (the first process's, kept)")
    s.add_argument("--learn", default="0", help="s of reference timings before samples count (no memory)")
    s.add_argument("--repeats", default="10", help="minimum counted samples")
    s.add_argument("--skip", default="0", help="ms from the start of a measurement before samples count")
    for sp in (r, t):
        sp.add_argument("--max-busy", type=float, default=0.25, help="cores other users may keep busy (default 0.25)")
    a = p.parse_args()
    {"record": record, "replay": replay_all, "table": table}[a.command](a)


if __name__ == "__main__":
    main()
