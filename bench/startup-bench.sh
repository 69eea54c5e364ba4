#!/usr/bin/env bash
# Start-up time: launch to listening, for several builds or launchers, interleaved.
#   bench/startup-bench.sh RUNS LAUNCHER...
#   e.g. bench/startup-bench.sh 7 /work/wt/startup-old/bin/gulp bin/gulp /usr/bin/gulp
# Each repeat (the outer loop) runs every launcher once, as root, with a clean environment:
#   env -i PATH=/usr/bin:/bin LAUNCHER -i lo --duration 0.5 > /dev/null
# and takes the start-up line's "ready X s after launch" (from this build on: when the kernel
# started capturing, i.e. bind; before, when the whole set-up was done), the wall time of the
# whole run and its CPU time (user + system, /usr/bin/time). With GULP_STARTUP_TRACE=1 a build
# that has it prints each stage (seconds since launch, CPU so far); set STAGES=1 to show them
# for the last repeat. Medians per launcher at the end. Under load the figures are indicative:
# compare launchers of the same run, not runs of different times.
set -euo pipefail
runs="${1:?usage: bench/startup-bench.sh RUNS LAUNCHER...}"
shift
[ "$#" -ge 1 ] || { echo "usage: bench/startup-bench.sh RUNS LAUNCHER..." >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "startup-bench: needs root (live capture on lo)" >&2; exit 2; }
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for launcher in "$@"; do   # a first run each: builds or trains an AOT cache if needed
  env -i PATH=/usr/bin:/bin "$launcher" -i lo --duration 0.2 > /dev/null 2>&1 || true
done
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
for ((r = 1; r <= runs; r++)); do
  i=0
  for launcher in "$@"; do
    i=$((i + 1))
    env -i PATH=/usr/bin:/bin GULP_STARTUP_TRACE=1 /usr/bin/time -f 'time %e %U %S' "$launcher" -i lo --duration 0.5 \
      > /dev/null 2> "$out/err"
    ready="$(sed -n 's/.*ready \([0-9.]*\) s after launch.*/\1/p' "$out/err" | head -1)"
    line="$(sed -n 's/^gulp: startup \([0-9.]*\) s .* start-up line .*/\1/p' "$out/err" | head -1)"
    read -r _ wall user sys < <(grep '^time ' "$out/err")
    cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')"
    echo "$ready" >> "$out/ready.$i"; echo "$cpu" >> "$out/cpu.$i"; echo "$wall" >> "$out/wall.$i"
    [ -n "$line" ] && echo "$line" >> "$out/line.$i"
    printf 'repeat %d  %-40s ready %5s s  start-up line %5s s  run %5s s  cpu %5s s  (load %s)\n' "$r" "$launcher" \
      "${ready:--}" "${line:--}" "$wall" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)"
    if [ "${STAGES:-0}" = 1 ] && [ "$r" = "$runs" ]; then grep '^gulp: startup ' "$out/err" || true; fi
  done
done
echo "medians of $runs:"
i=0
for launcher in "$@"; do
  i=$((i + 1))
  printf '  %-40s ready %s s  start-up line %s s  run %s s  cpu %s s\n' "$launcher" "$(median < "$out/ready.$i")" \
    "$( [ -f "$out/line.$i" ] && median < "$out/line.$i" || echo -)" "$(median < "$out/wall.$i")" "$(median < "$out/cpu.$i")"
done
