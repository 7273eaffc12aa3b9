#!/usr/bin/env python3
"""Compare two `simnas bench` run files row by row: the regression check of the committed runs.

Usage: python3 bench/compare_runs.py COMMITTED NEW [--subset] [--ignore FIELD,...] [--show N]
  e.g. python3 bench/compare_runs.py docs/benchmark/runs.jsonl.gz /tmp/tables/runs.jsonl

Rows are matched by "key" and compared field by field (every field but the wall-clock "wall_s"),
exactly: a rerun of the same build on the same tables writes the same bytes. Prints, per group and
strategy, the rows compared, the rows that differ and in which fields (with the first few
examples), and the rows found on one side only. Nested blocks ("score") are compared field by
field; an earlier row's score block under its space's name ("fbnet") is read as "score". A field
that one side lacks in every row compared (written before the field existed) is named and not
compared. --subset compares only the committed rows whose key the new file holds (a config
restricted to some groups, strategies or seeds, whose "config_digest" then differs by construction
and is not compared). Either file may be gzipped.
Exit status: 0 when no row differs and none is missing, 1 otherwise.
"""
import argparse
import collections
import gzip
import json
import sys

WALL_CLOCK = {"wall_s"}


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    rows = {}
    with opener(path, "rt") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if "key" not in row:
                sys.exit(f"{path}:{n}: a row without \"key\"")
            if "score" not in row:  # an earlier row keeps its score block under its space's name
                legacy = [k for k, v in row.items() if isinstance(v, dict) and "answer_objective" in v]
                if legacy:
                    row["score"] = row.pop(legacy[0])
            for k, v in list(row.items()):  # nested blocks compared field by field
                if isinstance(v, dict):
                    del row[k]
                    row.update({f"{k}.{sub}": x for sub, x in v.items()})
            rows[row["key"]] = row  # a later row of the same key replaces the earlier (a retried run)
    return rows


def main():
    ap = argparse.ArgumentParser(description="Compare two simnas bench run files row by row.")
    ap.add_argument("committed")
    ap.add_argument("new")
    ap.add_argument("--subset", action="store_true", help="compare only the committed rows the new file holds")
    ap.add_argument("--ignore", default="", help="comma-separated fields not to compare (besides wall_s)")
    ap.add_argument("--show", type=int, default=2, help="examples printed per differing field (default 2)")
    args = ap.parse_args()
    ignore = WALL_CLOCK | {f for f in args.ignore.split(",") if f}
    if args.subset:
        ignore.add("config_digest")
    old, new = load(args.committed), load(args.new)
    pairs = [(k, a, new[k]) for k, a in old.items() if k in new]
    old_fields = set().union(*(a for _, a, _ in pairs))
    new_fields = set().union(*(b for _, _, b in pairs))
    one_sided = (old_fields ^ new_fields) - ignore
    ignore |= one_sided

    compared = collections.Counter()
    differing = collections.Counter()
    fields = collections.defaultdict(collections.Counter)  # (group, strategy) -> field -> rows
    examples = collections.defaultdict(list)  # (group, strategy, field) -> [(key, old, new)]
    only_old = collections.Counter()
    only_new = collections.Counter()
    for key, a in old.items():
        unit = (a.get("group"), a.get("strategy"))
        b = new.get(key)
        if b is None:
            if not args.subset:
                only_old[unit] += 1
            continue
        compared[unit] += 1
        diff = sorted(f for f in set(a) | set(b) if f not in ignore and a.get(f, "<absent>") != b.get(f, "<absent>"))
        if diff:
            differing[unit] += 1
        for f in diff:
            fields[unit][f] += 1
            if len(examples[unit + (f,)]) < args.show:
                examples[unit + (f,)].append((key, a.get(f, "<absent>"), b.get(f, "<absent>")))
    for key, b in new.items():
        if key not in old:
            only_new[(b.get("group"), b.get("strategy"))] += 1

    units = sorted(set(compared) | set(only_old) | set(only_new), key=lambda u: (str(u[0]), str(u[1])))
    print(f"{'group':<22} {'strategy':<14} {'compared':>8} {'differ':>7} {'only old':>8} {'only new':>8}  fields")
    for u in units:
        detail = ", ".join(f"{f} {n}" for f, n in fields[u].most_common())
        print(f"{str(u[0]):<22} {str(u[1]):<14} {compared[u]:>8} {differing[u]:>7} {only_old[u]:>8} {only_new[u]:>8}  "
              f"{detail}")
    total = sum(compared.values())
    bad = sum(differing.values())
    missing = sum(only_old.values()) + sum(only_new.values())
    print(f"total: {total} rows compared, {bad} differ, {sum(only_old.values())} only in {args.committed}, "
          f"{sum(only_new.values())} only in {args.new}")
    for f in sorted(one_sided):
        print(f"field {f!r} only in {args.committed if f in old_fields else args.new}: not compared")
    for (g, s, f), rows in sorted(examples.items(), key=lambda kv: tuple(map(str, kv[0]))):
        for key, a, b in rows:
            print(f"  {f}: {key}\n    committed {json.dumps(a)}\n    new       {json.dumps(b)}")
    return 1 if bad or missing else 0


if __name__ == "__main__":
    sys.exit(main())
