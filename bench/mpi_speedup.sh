#!/usr/bin/env bash
# Speedup of a proxy table slice over MPI ranks (issue 12), and a check of its rows:
#
#   bench/mpi_speedup.sh            mpirun -np 2 vs -np 1: simnas proxies --all --dataset cifar100 --shard 1/52 --threads 1
#   RANKS=4 SHARD=1/26 bench/mpi_speedup.sh
#
# Prints the wall time of each run, the speedup, each rank's share (cells / compute seconds, as
# `simnas proxies` reports it) and whether the rows equal the committed table's
# (tables/proxies/<dataset>.csv). The machine's load average is printed before and after: on a
# shared machine the figure is disturbed, say so when you quote it. Exit 1 if the ranks' rows
# differ from one process's, 2 if they differ from the committed table's.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
SIMNAS=${SIMNAS:-build/simnas}
DATASET=${DATASET:-cifar100}
SHARD=${SHARD:-1/52}
RANKS=${RANKS:-2}
export SIMNAS_DATA=${SIMNAS_DATA:-$PWD/data}
table=tables/proxies/$DATASET.csv
k=${SHARD%/*}
n=${SHARD#*/}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mpi=(mpirun --oversubscribe)
[ "$(id -u)" = 0 ] && mpi+=(--allow-run-as-root)

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
declare -A seconds
for np in 1 "$RANKS"; do
  start=$(date +%s.%N)
  "${mpi[@]}" -np "$np" "$SIMNAS" proxies --all --dataset "$DATASET" --shard "$SHARD" --threads 1 \
    --out "$tmp/np$np.csv" 2>"$tmp/np$np.err" || { cat "$tmp/np$np.err" >&2; exit 1; }
  end=$(date +%s.%N)
  seconds[$np]=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
  printf 'mpirun -np %s: %.1f s   %s\n' "$np" "${seconds[$np]}" "$(grep -o 'wrote .*' "$tmp/np$np.err" | tail -1)"
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
printf 'speedup %s ranks vs 1: %.2fx\n' "$RANKS" "$(awk -v a="${seconds[1]}" -v b="${seconds[$RANKS]}" 'BEGIN { print a / b }')"

# The ranks' rows must equal one process's exactly; both are compared with the committed table
# (exact text, else the largest relative difference per column is printed).
status=0
awk -F, '!/^#/ && $1 ~ /^[0-9]+$/' "$tmp/np1.csv" >"$tmp/np1.rows"
awk -F, '!/^#/ && $1 ~ /^[0-9]+$/' "$tmp/np$RANKS.csv" >"$tmp/np$RANKS.rows"
if cmp -s "$tmp/np1.rows" "$tmp/np$RANKS.rows"; then
  echo "-np $RANKS rows equal -np 1 rows ($(wc -l <"$tmp/np1.rows") rows)"
else
  echo "-np $RANKS rows DIFFER from -np 1 rows"
  status=1
fi
awk -F, -v k="$k" -v n="$n" '!/^#/ && $1 ~ /^[0-9]+$/ && $1 % n == k - 1' "$table" >"$tmp/committed.rows"
if cmp -s "$tmp/np$RANKS.rows" "$tmp/committed.rows"; then
  echo "rows equal $table's"
else
  awk -F, 'NR == FNR { c[$1] = $0; next }
    { split(c[$1], r, ","); if ($0 != c[$1]) { d++; if ($1 < lo || lo == "") lo = $1; if ($1 > hi) hi = $1 }
      for (j = 2; j <= 4; j++) if ($j != r[j] && r[j] + 0 != 0) { x = ($j - r[j]) / r[j]; if (x < 0) x = -x; if (x > m[j]) m[j] = x } }
    END { printf "rows DIFFER from the committed table: %d of %d rows (indices %s..%s); largest relative difference: naswot %.2g, logsynflow %.2g, skip %.2g\n", d, FNR, lo, hi, m[2], m[3], m[4] }' \
    "$tmp/committed.rows" "$tmp/np$RANKS.rows"
  status=2
fi
exit $status
