#!/usr/bin/env bash
# Start-up time: launch to listening, for several builds or launchers, interleaved.
#   bench/startup-bench.sh RUNS TOOL...
#   e.g. bench/startup-bench.sh 7 dev installed /work/wt/startup-old/bin/gulp
# A TOOL is "dev" (this checkout's bin/gulp), "installed" (/usr/bin/gulp of the installed Debian
# package: bin/package, then dpkg -i target/gulp_*.deb) or the path of any launcher.
# Each repeat (the outer loop) runs every tool once, as root, with a clean environment, on the
# capture end of a veth pair in a network namespace of its own (bench/lib/testbed.sh; nothing is
# sent; IFACE=lo captures on the loopback of this namespace instead):
#   ip netns exec NS env -i PATH=/usr/bin:/bin TOOL -i VETH --duration 0.5 > /dev/null
# and takes the start-up line's "ready X s after launch" (from this build on: when the kernel
# started capturing, i.e. bind; before, when the whole set-up was done), the wall time of the
# whole run and its CPU time (user + system, /usr/bin/time); with the trace (below) also the CPU
# time the process had used at the bind ("cpu to bind": less disturbed by load than the wall
# time, as it leaves out the time spent waiting for a CPU). With GULP_STARTUP_TRACE=1 a build
# that has it prints each stage (seconds since launch, CPU so far); set STAGES=1 to show them
# for the last repeat. RUN=version times `TOOL -v` instead (launcher and JVM start, no capture:
# only the run's wall and CPU time). Medians per tool at the end. Under load the figures are indicative:
# compare tools of the same run, not runs of different times.
# ARGS="-d" (say) adds arguments to every capture run (-d: the decapsulating warm-up).
# THREADS=1 also takes, 0.4 s after the start-up line (just before --duration ends it), the CPU
# ticks (1/100 s) each of the process's threads has used, and prints their medians per tool at the
# end: where the run's CPU goes (the JIT's compiler threads, the warm-up, the reader, ...).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
usage="usage: bench/startup-bench.sh RUNS TOOL... (TOOL: dev, installed or a launcher's path)"
runs="${1:?$usage}"
shift
[ "$#" -ge 1 ] || { echo "$usage" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "startup-bench: needs root (live capture)" >&2; exit 2; }
launchers=()
for tool in "$@"; do
  case "$tool" in
    dev) launchers+=("$here/bin/gulp") ;;
    installed)
      dpkg -s gulp 2>/dev/null | grep -q '^Status: install ok installed' && [ -x /usr/bin/gulp ] \
        || { echo "startup-bench: the gulp package is not installed (bin/package; dpkg -i target/gulp_*.deb)" >&2; exit 2; }
      launchers+=(/usr/bin/gulp) ;;
    *) [ -x "$tool" ] || { echo "startup-bench: $tool is not an executable launcher" >&2; exit 2; }
       launchers+=("$tool") ;;
  esac
done
if [ "${IFACE:-}" = lo ]; then
  in_ns=(); iface=lo
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
else
  source "$here/bench/lib/testbed.sh"
  testbed_up gsu   # its trap removes the namespaces and $OUT on exit
  in_ns=(ip netns exec "$CAP"); iface=$CIF
  out=$OUT
fi
set -- "${launchers[@]}"
run_args=(-i "$iface" --duration 0.5 ${ARGS:-})
[ "${RUN:-capture}" = version ] && run_args=(-v)
for launcher in "$@"; do   # a first run each: builds or trains an AOT cache if needed
  "${in_ns[@]}" env -i PATH=/usr/bin:/bin "$launcher" -i "$iface" --duration 0.2 > /dev/null 2>&1 || true
done
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
for ((r = 1; r <= runs; r++)); do
  i=0
  for launcher in "$@"; do
    i=$((i + 1))
    "${in_ns[@]}" env -i PATH=/usr/bin:/bin GULP_STARTUP_TRACE=1 /usr/bin/time -f 'time %e %U %S' "$launcher" "${run_args[@]}" \
      > /dev/null 2> "$out/err" &
    timer=$!
    if [ "${THREADS:-0}" = 1 ]; then
      for _ in $(seq 1 200); do grep -qs 'start-up line' "$out/err" && break; sleep 0.02; done
      sleep 0.4
      jpid=$(cat /proc/$timer/task/$timer/children 2>/dev/null | awk '{print $1}')
      for t in /proc/$jpid/task/*; do
        printf '%s\t%s\n' "$(tr ' ' _ < $t/comm 2>/dev/null)" "$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' $t/stat 2>/dev/null)"
      done | awk -F'\t' '$2 != "" { sub(/[0-9]+$/, "", $1); a[$1] += $2 } END { for (n in a) print n "\t" a[n] }' \
        | sed "s/^/$i\t/" >> "$out/threads"
    fi
    wait $timer || true
    ready="$(sed -n 's/.*ready \([0-9.]*\) s after launch.*/\1/p' "$out/err" | head -1)"
    line="$(sed -n 's/^gulp: startup \([0-9.]*\) s .* start-up line .*/\1/p' "$out/err" | head -1)"
    bindcpu="$(sed -n 's/^gulp: startup [0-9.]* s cpu \([0-9.]*\) s bound (listening).*/\1/p' "$out/err" | head -1)"
    read -r _ wall user sys < <(grep '^time ' "$out/err")
    cpu="$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')"
    [ -n "$ready" ] && echo "$ready" >> "$out/ready.$i"
    echo "$cpu" >> "$out/cpu.$i"; echo "$wall" >> "$out/wall.$i"
    [ -n "$line" ] && echo "$line" >> "$out/line.$i"
    [ -n "$bindcpu" ] && echo "$bindcpu" >> "$out/bindcpu.$i"
    printf 'repeat %d  %-30s ready %5s s  cpu to bind %5s s  start-up line %5s s  run %5s s  cpu %5s s  (load %s)\n' "$r" \
      "$launcher" "${ready:--}" "${bindcpu:--}" "${line:--}" "$wall" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)"
    if [ "${STAGES:-0}" = 1 ] && [ "$r" = "$runs" ]; then grep '^gulp: startup ' "$out/err" || true; fi
  done
done
if [ "${THREADS:-0}" = 1 ]; then
  echo "CPU ticks by thread (name without its number; summed over threads of one name), medians of $runs, 0.4 s after the start-up line:"
  i=0
  for launcher in "$@"; do
    i=$((i + 1))
    printf '  %s:' "$launcher"
    awk -F'\t' -v i=$i '$1 == i { v[$2] = v[$2] " " $3 } END { for (n in v) print n "\t" v[n] }' "$out/threads" | sort | while IFS=$'\t' read -r n vals; do
      printf ' %s %s' "$n" "$(echo $vals | tr ' ' '\n' | median)"
    done
    echo
  done
fi
echo "medians of $runs (interface $iface):"
i=0
for launcher in "$@"; do
  i=$((i + 1))
  printf '  %-30s ready %s s  cpu to bind %s s  start-up line %s s  run %s s  cpu %s s\n' "$launcher" \
    "$( [ -f "$out/ready.$i" ] && median < "$out/ready.$i" || echo -)" "$( [ -f "$out/bindcpu.$i" ] && median < "$out/bindcpu.$i" || echo -)" \
    "$( [ -f "$out/line.$i" ] && median < "$out/line.$i" || echo -)" "$(median < "$out/wall.$i")" "$(median < "$out/cpu.$i")"
done
