#!/usr/bin/env bash
# --fanout benchmark: N reader/writer pairs against one, CPU per packet and loss, gulp as shipped.
#
#   bench/fanout-bench.sh [N...]                 as shipped: bin/gulp -i IF --fanout N -o DIR, nothing else
#   CPULIST=1 bench/fanout-bench.sh [N...]       CPU-per-packet variant: gulp confined to CPULIST (taskset)
#   e.g. bench/fanout-bench.sh                   (N = 1 and 2, every default)
#        CPULIST=1 bench/fanout-bench.sh 1 2     (this 2-CPU VM: the generator on CPU 0, gulp on CPU 1)
#        CPULIST=2-9 bench/fanout-bench.sh 1 2 4 (a 10-CPU machine: generator on 0, capture on 2..9)
#   Environment: COUNT (frames a run, default 2000000), SIZE (frame bytes, 300), REPEATS (3),
#   MODE (hash: --fanout-mode, default hash), RPS (0: receive softirq on the sender's CPU; else an
#   rps_cpus mask for the capture veth, e.g. RPS=2: CPU 1 does the receive work), PPS (0: flat out),
#   GEN_CPU (0), CPULIST (empty: gulp may use every CPU, as shipped), GULP_OPTS (more options, e.g.
#   tuning flags: then it is no longer gulp as shipped), RESULTS=FILE (raw rows, tab-separated).
#
# Gulp runs as shipped: bin/gulp (its launcher's JVM flags) with only -i, --fanout, --fanout-mode and
# -o, so its defaults (-r, -B, file size) are what is measured. With CPULIST set it runs under
# taskset -c CPULIST, which changes nothing in gulp but the CPUs it may use (it places its pairs on
# them itself; its start-up line says how): the labelled CPU-per-packet variant, which keeps gulp off
# the generator's CPU so that CPU time per packet is gulp's alone. The mode column says which variant
# ran (hash/shipped, hash/cpu).
#
# Test bed: bench/lib/testbed.sh (shared/notes/capture-testbed.md): two fresh namespaces joined by a
# veth pair, an nftables ingress drop sink, nothing can leave. The generator (gulp.bench.LiveSender,
# MODE flows: 256 UDP flows, so the hash spreads them) runs pinned to GEN_CPU. Files go to a scratch
# directory, removed after each run.
#
# Per run: loss = delta rx_packets of the capture veth - records written (gulp's count, checked
# against capinfos over every pair's files when capinfos is there); CPU = utime+stime of gulp from
# just before the generator starts to just before SIGINT, as seconds per million delivered packets.
# On one CPU N = 2 can only cost more (two readers and two writers time-share it): what it shows
# there is the overhead; the gain needs a CPU for each reader (see docs/live.md, "Several cores").
set -euo pipefail
set -m
here="$(cd "$(dirname "$0")/.." && pwd)"
case "${1:-}" in -h|--help) sed -n '2,12p' "$0"; exit 0;; esac
PAIRS="${*:-1 2}"
CPULIST=${CPULIST:-}
if [ -n "$CPULIST" ]; then VARIANT=cpu; PIN=(taskset -c "$CPULIST"); else VARIANT=shipped; PIN=(); fi
COUNT=${COUNT:-2000000}; SIZE=${SIZE:-300}; REPEATS=${REPEATS:-3}; MODE=${MODE:-hash}
RPS=${RPS:-0}; PPS=${PPS:-0}; GEN_CPU=${GEN_CPU:-0}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
source "$here/bench/lib/testbed.sh"
testbed_up gfb
ROWS=${RESULTS:-$OUT/rows.tsv}
HZ=$(getconf CLK_TCK)
copy_classes
GULP="$here/bin/gulp"
"$GULP" --version >/dev/null   # bin/gulp builds the jar on first use, not during a run
rps "$RPS"

[ -s "$ROWS" ] || printf "rep\tpairs\tmode\tsize\tsent_pps\tdelivered\twritten\tloss_pct\tcpu_s_per_mpkt\n" > "$ROWS"
echo "variant: $VARIANT${CPULIST:+ (gulp on CPUs $CPULIST)}"
printf "%-3s %-5s %-8s %5s %9s %9s %9s %7s %9s\n" rep pairs mode size sent_pps delivered written loss% cpu_s/Mp
for r in $(seq 1 "$REPEATS"); do
  for n in $PAIRS; do
    dir=$OUT/cap; rm -rf "$dir"; mkdir -p "$dir"; log=$OUT/gulp.log; : > "$log"
    ip netns exec $CAP "${PIN[@]}" "$GULP" -i $CIF --fanout "$n" --fanout-mode "$MODE" -o "$dir" ${GULP_OPTS:-} 2> "$log" &
    pid=$!
    for _ in $(seq 1 600); do grep -q "listening on" "$log" 2>/dev/null && break; sleep 0.05; done
    [ "$r" = 1 ] && grep -o 'fanout group.*after launch' "$log" | sed 's/^/  /' >&2 || true
    sleep 1
    before=$(rx); t0=$(ticks $pid)
    sent=$(ip netns exec $GEN "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" gulp.bench.LiveSender $GIF $SIZE $COUNT \
        $GEN_CPU $PPS flows)
    pps=$(echo "$sent" | sed -E 's/.*= ([0-9]+) pps.*/\1/')
    delivered=$(( $(rx) - before ))
    sleep 2   # let the pairs drain what the kernel rings hold
    t1=$(ticks $pid)
    kill -INT $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    written=$(awk '/^[0-9]+ records written$/ {print $1}' "$log" | tail -1)
    written=${written:-0}
    if command -v capinfos >/dev/null && ls "$dir"/*.pcap >/dev/null 2>&1; then
      files=$(capinfos -c -M "$dir"/*.pcap 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); s += $2} END {print s + 0}')
      [ "$files" = "$written" ] || echo "  warning: the files hold $files records, gulp says $written" >&2
    fi
    loss=$(awk -v d=$delivered -v c=$written 'BEGIN { printf "%.2f", (d > 0) ? 100 * (d - c) / d : 0 }')
    cpu=$(awk -v t=$((t1 - t0)) -v hz=$HZ -v d=$delivered 'BEGIN { printf "%.2f", (d > 0) ? t / hz / (d / 1e6) : 0 }')
    printf "%-3s %-5s %-8s %5s %9s %9s %9s %7s %9s\n" $r $n $MODE/$VARIANT $SIZE $pps $delivered $written $loss $cpu
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" $r $n $MODE/$VARIANT $SIZE $pps $delivered $written $loss $cpu >> "$ROWS"
    grep '^pair ' "$log" | sed 's/^/  /' >&2 || true
    rm -rf "$dir"
  done
done
rps 0
echo
echo "Medians (min-max) over the repeats:"
python3 "$here/bench/lib/medians.py" "$ROWS" "pairs,mode,size" "sent pps:4:k,loss %:7:2,CPU s per M pkts:8:2"
echo
echo "N pairs against N = 1, per repeat (CPU per delivered packet; delivered packets, to see the load was alike):"
python3 "$here/bench/lib/ratios.py" "$ROWS" 2,3 1 1 "CPU per packet:8,delivered:5"
