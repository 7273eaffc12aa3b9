#!/usr/bin/env bash
# Runs `./run.sh search [ARGS]` N times in a row and counts the runs that answered.
#
#   bench/repeat_search.sh N [ARGS...]     e.g. bench/repeat_search.sh 20
#                                               bench/repeat_search.sh 5 --device opencv --budget-ms 5
#
# Each run gets its own probe store and cache under a temp folder (a fresh user's state: no
# remembered quiet speed, nothing to replay), unless --store/--cache are given in ARGS. Prints
# one line per run (exit status, wall seconds, the answer or the error line, the load average)
# and a summary: answered/N, the median wall seconds, and the median seconds per probe
# (the wall time of the searches' measured probes from their progress lines).
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
n="${1:?usage: bench/repeat_search.sh N [search args...]}"
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ok=0
walls=()
probe_secs=()
for i in $(seq 1 "$n"); do
  load=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s.%N)
  ./run.sh --store "$work/p$i.sqlite" --cache "$work/cache$i" search "$@" >"$work/out$i" 2>"$work/err$i"
  status=$?
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  walls+=("$wall")
  while read -r s; do probe_secs+=("$s"); done < <(sed -n 's/^probe [0-9]*\/[0-9]*: .*, \([0-9.]*\) s  .*/\1/p' "$work/err$i")
  if [ "$status" -eq 0 ]; then
    ok=$((ok + 1))
    what=$(grep -m1 '^answer\|^NO FEASIBLE' "$work/out$i")
  else
    what=$(grep -m1 'error' "$work/err$i")
  fi
  printf 'run %d: exit %d, %.1f s, load %s: %s\n' "$i" "$status" "$wall" "$load" "$what"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2); else print "-"}'; }
echo "answered $ok/$n; median wall $(median "${walls[@]}") s per search; median $(median "${probe_secs[@]}") s per measured probe (${#probe_secs[@]} probes)"
[ "$ok" -eq "$n" ]
