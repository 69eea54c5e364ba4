#!/usr/bin/env bash
# What a GiB written to tmpfs costs, depending on which free pages the kernel hands out (the
# bimodal tmpfs figures of bench/format-cpu-bench.sh, BENCHMARKS.md §3.4): FILES files of 1 GiB
# written one after another with dd (each takes fresh pages from the free pool), removed, and
# written again at once (now largely into the pages just freed), REPEATS times. Per file: elapsed,
# system CPU seconds, and MemFree before it. A GiB that lands on pages the hypervisor no longer
# backs (never touched since boot, or handed back through virtio-balloon free page reporting) costs
# several times the system time of one that lands on pages freed a moment ago, almost all of it in
# copy_folio_from_iter_atomic (the first store into each page); PERF=1 records each file with
# `perf record -e cpu-clock` and prints the share of that function.
#
#   bench/tmpfs-page-bench.sh [FILES] [REPEATS]     defaults 4 files (4 GiB on /dev/shm), 2 repeats
set -euo pipefail
FILES=${1:-4}; REPEATS=${2:-2}; DIR=${DIR:-/dev/shm}; PERF=${PERF:-}
PERF_DATA=$(mktemp)
trap 'rm -f "$DIR"/tmpfs-page-bench.* "$PERF_DATA"' EXIT
one() { # name
  local free t share=""
  free=$(awk '/MemFree/ {print $2}' /proc/meminfo)
  if [ -n "$PERF" ]; then
    t=$( { /usr/bin/time -f '%e %S' perf record -q -e cpu-clock -o "$PERF_DATA" -- \
      dd if=/dev/zero of="$DIR/tmpfs-page-bench.$1" bs=1M count=1024 status=none; } 2>&1 | tail -1)
    share=$(perf report -i "$PERF_DATA" --no-children -q -g none --sort sym 2>/dev/null \
      | awk '/copy_folio_from_iter_atomic/ {print "copy_folio_from_iter_atomic " $1}')
  else
    t=$( { /usr/bin/time -f '%e %S' dd if=/dev/zero of="$DIR/tmpfs-page-bench.$1" bs=1M count=1024 status=none; } 2>&1 | tail -1)
  fi
  read -r e s <<<"$t"
  echo "$2 GiB $1: elapsed $e s, system $s s, MemFree before $((free / 1024)) MiB $share"
}
for ((r = 1; r <= REPEATS; r++)); do
  for ((i = 1; i <= FILES; i++)); do one "$i" "repeat $r, fresh pages:"; done
  rm -f "$DIR"/tmpfs-page-bench.*
  for ((i = 1; i <= FILES; i++)); do one "$i" "repeat $r, pages just freed:"; done
  rm -f "$DIR"/tmpfs-page-bench.*
done
