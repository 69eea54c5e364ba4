#!/usr/bin/env bash
# What a Prometheus scrape a second costs gulp at top rate: gulp's CPU time over the same burst
# of frames without --metrics, with --metrics and nobody scraping, and with --metrics scraped
# once a second (as Prometheus would with scrape_interval: 1s).
#
#   bench/metrics-bench.sh [COUNT] [REPEATS] [SIZE] [VARIANTS] [MODE]
#   defaults: 5000000 3 64 "off idle scraped" A
#   (COUNT frames of SIZE bytes from the sendmmsg sender at full speed; about 10 s at 450k pps,
#   so the scraped variant sees about ten scrapes per run)
#   GULP_OPTS adds options to gulp's command line. RESULTS=FILE keeps the raw rows there as well.
#
# Test bed as bench/capture-bench.sh (capture-testbed.md): namespaces gmb-<pid>-g / -c joined by a
# veth pair, the capture end with no address and an nftables drop sink; the capture namespace's
# loopback is up, and the endpoint listens there (127.0.0.1, a free port). Sender pinned to CPU 0,
# gulp (reader and writer) to CPU 1; the scraper (curl in the capture namespace, its own process,
# not counted) on CPU 0. Mode A: receive softirq on the sender's CPU; B: RPS moves it to CPU 1.
#
# Per run: gulp's utime+stime (/proc/PID/stat) from just before the sender starts until the
# output stops growing, as seconds per million delivered packets; the scrapes made meanwhile;
# loss = delivered - records written. At the end: medians (min-max) per variant, and the cost of
# one scrape: (scraped - idle CPU) / scrapes, from the medians. The run with the fewest
# disturbances wins nothing: read the spread. Needs root, Java 25, curl, python3.
set -euo pipefail
set -m   # background jobs in their own process groups, with SIGINT not ignored
here="$(cd "$(dirname "$0")/.." && pwd)"
COUNT=${1:-5000000}
REPEATS=${2:-3}
SIZE=${3:-64}
VARIANTS=${4:-"off idle scraped"}
MODE=${5:-A}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
source "$here/bin/lib/jvm-flags.sh"   # GULP_JVM_FLAGS: the flags bin/gulp and the package run with
[ -d "$here/target/lib" ] || { echo "metrics-bench: build first (mvn -DskipTests package): target/lib is missing" >&2; exit 1; }
source "$here/bench/lib/testbed.sh"
testbed_up gmb
ROWS=${RESULTS:-$OUT/rows.tsv}
HZ=$(getconf CLK_TCK)
copy_classes
mkdir -p "$OUT/lib"; cp "$here"/target/lib/*.jar "$OUT/lib/"
GATE_WAIT="${GATE_WAIT:-3}"
source "$here/bench/lib/quiet-gate.sh"
if [ "$MODE" = B ]; then rps 2; else rps 0; fi

scraper=""
stop_scraper() { [ -z "$scraper" ] || { kill -- -"$scraper" 2>/dev/null || true; wait "$scraper" 2>/dev/null || true; scraper=""; }; }
trap 'stop_scraper; rps 0 2>/dev/null || true; ip netns del $GEN 2>/dev/null || true; ip netns del $CAP 2>/dev/null || true; rm -rf "$OUT"' EXIT

[ -s "$ROWS" ] || printf "rep\tvariant\tmode\tsize\tdelivered\twritten\tloss_pct\tcpu_s\tcpu_s_per_mpkt\tscrapes\tbg_pct\n" > "$ROWS"
printf "%-3s %-8s %-4s %5s %9s %9s %7s %7s %9s %7s %4s\n" rep variant mode size delivered written loss% cpu_s cpu_s/Mp scrapes bg%
for r in $(seq 1 "$REPEATS"); do
  for variant in $VARIANTS; do
    rm -f "$OUT/cap.pcap" "$OUT/scrapes"; : > "$OUT/gulp.log"
    bg=$(quiet_gate)
    metrics=(); [ "$variant" = off ] || metrics=(--metrics 0)
    ip netns exec $CAP taskset -c 1 "$JAVA" "${GULP_JVM_FLAGS[@]}" -cp "$OUT/classes:$OUT/lib/*" gulp.cli.Main \
        -i $CIF -B 256 --reader-cpu 1 --writer-cpu 1 "${metrics[@]}" ${GULP_OPTS:-} > "$OUT/cap.pcap" 2> "$OUT/gulp.log" &
    pid=$!
    for _ in $(seq 1 400); do grep -q "listening on" "$OUT/gulp.log" 2>/dev/null && break; sleep 0.05; done
    grep -q "listening on" "$OUT/gulp.log" || { echo "gulp did not start:" >&2; cat "$OUT/gulp.log" >&2; exit 1; }
    sleep 1
    url=$(grep -o 'metrics at http://[^ ;,]*' "$OUT/gulp.log" | sed 's/^metrics at //' || true)
    before=$(rx); ticks_start=$(ticks $pid)
    if [ "$variant" = scraped ]; then
      # One scrape a second for as long as the burst lasts; each successful one leaves a line.
      ( while :; do
          ip netns exec $CAP taskset -c 0 curl -s -o /dev/null --max-time 5 -w '%{http_code}\n' "$url" >> "$OUT/scrapes" || true
          sleep 1
        done ) &
      scraper=$!
    fi
    ip netns exec $GEN "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" gulp.bench.LiveSender $GIF $SIZE $COUNT 0 0 > /dev/null
    # Until the output has not grown for 1 s (at most 60 s): gulp has written what arrived.
    last=-1; stable=0
    for _ in $(seq 1 300); do
      size=$(stat -c %s "$OUT/cap.pcap" 2>/dev/null || echo 0)
      if [ "$size" = "$last" ]; then stable=$((stable+1)); else stable=0; last=$size; fi
      [ $stable -ge 5 ] && break
      sleep 0.2
    done
    ticks_end=$(ticks $pid)
    stop_scraper
    delivered=$(( $(rx) - before ))
    kill -INT $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    written=$(awk '/records written/ {print $1}' "$OUT/gulp.log"); written=${written:-0}
    scrapes=$(grep -c '^200$' "$OUT/scrapes" 2>/dev/null || true); scrapes=${scrapes:-0}
    [ "$variant" = scraped ] || scrapes=-
    loss=$(awk -v d=$delivered -v c=$written 'BEGIN { printf "%.2f", (d > 0) ? 100 * (d - c) / d : 0 }')
    cpu=$(awk -v t=$((ticks_end - ticks_start)) -v hz=$HZ 'BEGIN { printf "%.2f", t / hz }')
    per=$(awk -v t=$((ticks_end - ticks_start)) -v hz=$HZ -v d=$delivered 'BEGIN { printf "%.2f", (d > 0) ? t / hz / (d / 1e6) : 0 }')
    printf "%-3s %-8s %-4s %5s %9s %9s %7s %7s %9s %7s %4s\n" $r $variant $MODE $SIZE $delivered $written $loss $cpu $per $scrapes $bg
    printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" $r $variant $MODE $SIZE $delivered $written $loss $cpu $per $scrapes $bg >> "$ROWS"
    rm -f "$OUT/cap.pcap"
  done
done

echo
echo "Medians (min-max) over the repeats:"
python3 "$here/bench/lib/medians.py" "$ROWS" "variant,mode,size" \
  "delivered:4:k,loss %:6:2,gulp CPU s:7:2,CPU s per M pkts:8:2,scrapes:9:0"
python3 - "$ROWS" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
def med(variant, col):
    xs = [float(r[col]) for r in rows if r[1] == variant and r[col] not in ("-", "")]
    return statistics.median(xs) if xs else None
idle, scraped, n = med("idle", 7), med("scraped", 7), med("scraped", 9)
if idle is not None and scraped is not None and n:
    print(f"one scrape: {1000 * (scraped - idle) / n:.1f} ms of gulp CPU (median scraped - median idle, over {n:.0f} scrapes)")
PY
