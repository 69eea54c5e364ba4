#!/usr/bin/env bash
# Remote-capture benchmark: ERSPAN type II traffic at the generator's highest rate into
#   gulp -d                       (every frame to user space, decapsulated there)
#   gulp -d -f 'udp port 53'      (the inner filter runs in the kernel and keeps 10 %)
#   gulp -f 'proto gre'           (reference: outer frames kept as they are, kernel filter)
#
#   bench/erspan-bench.sh [COUNT] [REPEATS] [SIZES] [MODES] [CONFIGS]
#   defaults: 1000000 3 "300 1500" "B A" "d dfilter gre"     (SIZES = outer frame bytes)
#   RESULTS=FILE keeps the raw rows (tab-separated).
#   DIAG=1 prints, after each run's row, what tells a loss's cause: gulp's exit statistics
#   (kernel drops, ring full, the user ring's peak use), the ticks@cpu of the fault-in thread and
#   the JIT's compiler threads, CPU 1's receive softirq ticks and backlog drops over the window;
#   DIAG_ARGS="-V 1" (say) adds arguments to gulp for a timeline of its drops, DIAG_JVM JVM flags
#   (e.g. -Xlog:jit+compilation=debug:file=F:uptime): both not as shipped. DIAG_HOG=1 runs a
#   busy loop on CPU 1 (nice DIAG_HOG_NICE, 0 unless given; at most 60 s) while the generator
#   sends: a machine whose capture CPU has other work too (nice -10: another gulp's reader).
#   Each config runs gulp as shipped, the way a user starts it (`gulp -i IF ARGS > file`: no
#   taskset, no tuning flags, the launcher's JVM flags; gulp places its own reader and writer):
#   the one for every kept % figure. A config ending in -1cpu (d-1cpu, dfilter-1cpu, gre-1cpu)
#   is the one-CPU variant, for CPU per packet only: under taskset -c 1 with --reader-cpu 1
#   --writer-cpu 1, every gulp thread on the capture CPU.
#   A config ending in @base (d@base, d-1cpu@base, ...) runs the build of GULP_BASE (a
#   launcher path, e.g. /tmp/old/bin/gulp: its checkout's target/classes) in the same run.
#
# Same private test bed as capture-bench.sh (veth between two fresh namespaces, nftables netdev
# drop sink, generator pinned to CPU 0, output to a file on disk). The generator is gulp.bench.LiveSender in
# its erspan mode: outer IPv4 / GRE with sequence number / 8-byte ERSPAN II header around an inner
# IPv4/UDP frame, destination port 53 for every tenth frame (sequence % 10 == 0), 9 otherwise.
#
# expected = frames gulp should keep: every delivered frame, or for the 10 % filter the delivered
# frames whose sequence % 10 == 0 (every one of them when nothing was lost before the tap);
# captured = records in the output file (capinfos). CPU per offered packet: gulp's utime+stime
# (/proc/PID/stat) from just before the generator starts until just before SIGINT, divided by
# the delivered frames; and CPU 1's whole busy time (/proc/stat, which includes the receive
# softirq and the kernel filter in mode B) over the same window. Repeats are the outer loop.
set -euo pipefail
set -m
here="$(cd "$(dirname "$0")/.." && pwd)"
COUNT=${1:-1000000}
REPEATS=${2:-3}
SIZES=${3:-"300 1500"}
MODES=${4:-"B A"}
CONFIGS=${5:-"d dfilter gre"}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
source "$here/bin/lib/jvm-flags.sh"   # GULP_JVM_FLAGS: the flags bin/gulp and the package run with
source "$here/bench/lib/testbed.sh"
testbed_up gte
ROWS=${RESULTS:-$OUT/rows.tsv}
HZ=$(getconf CLK_TCK)
copy_classes
copy_base_classes "$CONFIGS"

# thread_cpu PID NAME: "ticks@cpu" of the thread NAME (utime+stime, and the CPU it last ran on:
# /proc/PID/task/*/stat fields 14+15 and 39), or -.
thread_cpu() { thread_stat "$1" "$2" '$12 + $13 "@" $37'; }
hwm_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' /proc/$1/status 2>/dev/null || echo 0; }
# thread_ticks_all PID: "NAME=TICKS;" for every thread (spaces in names as _); thread_window PID
# NAME BEFORE: NAME's ticks before the window (from BEFORE, that list) + in it, @ the CPU it last ran on.
thread_ticks_all() {
  local t; for t in /proc/$1/task/*; do
    printf '%s=%s;' "$(tr ' ' _ < $t/comm 2>/dev/null)" "$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' $t/stat 2>/dev/null)"
  done
}
thread_window() {
  local now b; now=$(thread_cpu "$1" "$2"); [ "$now" = - ] && { echo -; return; }
  b=$(echo "$3" | tr ';' '\n' | awk -F= -v n="$(echo "$2" | tr ' ' _)" '$1 == n { print $2; exit }')
  echo "${b:-0}+$(( ${now%@*} - ${b:-0} ))@${now#*@}"
}
steal() { awk '$1 == "cpu0" { a = $9 } $1 == "cpu1" { b = $9 } END { print a + b }' /proc/stat; }
cpu1_softirq() { awk '$1 == "cpu1" { print $8 }' /proc/stat; }
backlog_drops() { local s=0 x; while read -r _ x _; do s=$((s + 16#$x)); done < /proc/net/softnet_stat; echo $s; }
cpu1_busy() { awk '$1 == "cpu1" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# What each config ran, for the medians table (medians.py's NAME=LABEL list).
labels() {
  local l="" c k a
  for c in d dfilter gre; do
    case $c in d) a="-d" ;; dfilter) a="-d -f 'udp port 53'" ;; gre) a="-f 'proto gre'" ;; esac
    for k in "" @base; do
      l+="$c$k=gulp $a as shipped${k:+ (GULP_BASE)};"
      l+="$c-1cpu$k=taskset -c 1 gulp $a --reader-cpu 1 --writer-cpu 1 (one-CPU variant: CPU only)${k:+ (GULP_BASE)};"
    done
  done
  echo "${l%;}"
}
echo "configs without -1cpu: gulp as shipped (no taskset, no tuning flags); -1cpu: the one-CPU variant, for CPU per packet only"

printf "rep\tconfig\tmode\tsize\tsent_pps\tdelivered\texpected\tcaptured\tcaptured_pct\tgulp_cpu_us_per_pkt\tcpu1_us_per_pkt\tdrops\trss_mib\treader_ticks_at_cpu\twriter_ticks_at_cpu\n" > "$ROWS"
for r in $(seq 1 "$REPEATS"); do
for mode in $MODES; do
  if [ "$mode" = B ]; then rps 2; else rps 0; fi
  for size in $SIZES; do
    for config in $CONFIGS; do
      rm -f $OUT/cap.pcap; : > $OUT/gulp.log
      classes=$OUT/classes
      case $config in *@base) classes=$OUT/base-classes ;; esac
      kind=${config%@base}; confine=(); pin=()
      case $kind in *-1cpu) kind=${kind%-1cpu}; confine=(taskset -c 1); pin=(--reader-cpu 1 --writer-cpu 1) ;; esac
      case $kind in
        d) args=(-d) ;;
        dfilter) args=(-d -f 'udp port 53') ;;
        gre) args=(-f 'proto gre') ;;
      esac
      ip netns exec $CAP "${confine[@]}" "$JAVA" "${GULP_JVM_FLAGS[@]}" ${DIAG_JVM:-} -cp "$classes" gulp.cli.Main \
        -i $CIF "${pin[@]}" "${args[@]}" ${DIAG_ARGS:-} > $OUT/cap.pcap 2> $OUT/gulp.log &
      pid=$!
      for _ in $(seq 1 400); do grep -qs "listening on" $OUT/gulp.log && break; sleep 0.05; done
      sleep 1
      [ "${DIAG:-0}" = 1 ] && { d0=$(thread_ticks_all $pid); m0=$(thread_stat $pid gulp-reader '$8'); st0=$(steal); ru0=$(thread_stat $pid gulp-reader '$12 "+" $13'); }
      before=$(rx); t0=$(ticks $pid); c0=$(cpu1_busy); s0=$(cpu1_softirq); b0=$(backlog_drops)
      hog=""; if [ "${DIAG_HOG:-0}" = 1 ]; then nice -n "${DIAG_HOG_NICE:-0}" taskset -c 1 timeout 60 sh -c 'while :; do :; done' & hog=$!; fi
      sent=$(ip netns exec $GEN "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" gulp.bench.LiveSender $GIF $size $COUNT 0 0 erspan)
      [ -n "$hog" ] && { kill $hog 2>/dev/null; wait $hog 2>/dev/null || true; }
      pps=$(echo "$sent" | sed -E 's/.*= ([0-9]+) pps.*/\1/')
      delivered=$(( $(rx) - before ))
      last=-1; stable=0
      for _ in $(seq 1 300); do
        s=$(stat -c %s $OUT/cap.pcap); if [ "$s" = "$last" ]; then stable=$((stable+1)); else stable=0; last=$s; fi
        [ $stable -ge 5 ] && break; sleep 0.2
      done
      t1=$(ticks $pid); c1=$(cpu1_busy); rss=$(hwm_mib $pid)
      rdr=$(thread_cpu $pid gulp-reader); wrt=$(thread_cpu $pid gulp-writer)
      if [ "${DIAG:-0}" = 1 ]; then
        diag="in the window (ticks@cpu, at start+in window): fault-in $(thread_window $pid gulp-ring-fault "$d0")"
        diag+=" C2 $(thread_window $pid 'C2 CompilerThre' "$d0") C1 $(thread_window $pid 'C1 CompilerThre' "$d0")"
        diag+=" reader $(thread_window $pid gulp-reader "$d0") reader-minflt $(( $(thread_stat $pid gulp-reader '$8') - m0 ))"
        diag+=" reader-user+sys $(thread_stat $pid gulp-reader '$12 "+" $13') (before: $ru0)"
        diag+=" cpu1-softirq $(( $(cpu1_softirq) - s0 )) steal $(( $(steal) - st0 )) backlog-drops $(( $(backlog_drops) - b0 )) load $(cut -d' ' -f1 /proc/loadavg)"
      fi
      kill -INT $pid; wait $pid || true
      captured=$(capinfos -c -M $OUT/cap.pcap 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
      if [ "$kind" = dfilter ]; then expected=$(( (delivered + 9) / 10 )); else expected=$delivered; fi
      drops=$(awk '/dropped by the kernel/ {k=$1} /ring full/ {f=$1} END {print k "k+" f "r"}' $OUT/gulp.log)
      where=$(grep -o 'in the kernel[^;)]*\|in user space' $OUT/gulp.log | head -1 || true)
      row=$(awk -v r=$r -v c=$config -v m=$mode -v s=$size -v p=$pps -v d=$delivered -v e=$expected -v k=${captured:-0} \
              -v t=$((t1 - t0)) -v u=$((c1 - c0)) -v hz=$HZ -v dr="$drops" -v rss=$rss -v rd=$rdr -v wr=$wrt 'BEGIN {
              printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.3f\t%.3f\t%s\t%s\t%s\t%s", r, c, m, s, p, d, e, k,
                     (e > 0 ? 100 * k / e : 0), (d > 0 ? t / hz * 1e6 / d : 0), (d > 0 ? u / hz * 1e6 / d : 0), dr, rss, rd, wr }')
      echo "$row" >> "$ROWS"
      echo "$row  [$where]"
      if [ "${DIAG:-0}" = 1 ]; then
        echo "    $diag"
        grep -E 'dropped|peak use|stalled|^gulp: ring|^ring ' $OUT/gulp.log | grep -v '^0 ' | sed 's/^/    /' || true
      fi
      rm -f $OUT/cap.pcap
    done
  done
done
done
rps 0

echo
echo "Medians (min-max) over the repeats:"
python3 "$here/bench/lib/medians.py" "$ROWS" "run,mode,outer size" \
  "sent pps:4:k,captured / expected %:8:2,gulp CPU µs per offered pkt:9:3,CPU 1 busy µs per offered pkt:10:3,peak RSS MiB:12:0" \
  "$(labels)"
