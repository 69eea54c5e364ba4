#!/usr/bin/env bash
# Records per second and CPU per packet of gulp --read through the Kafka producer to a local broker
# (one KRaft node from the test class path, gulp.kafka.KafkaTestBroker), against the same file
# written to files with -o in the same run (docs/kafka.md). Figures only on a quiet machine.
#
#   bench/kafka-bench.sh
#
# Environment (all optional):
#   SIZES="64 1500"        frame sizes
#   FILE_BYTES=268435456   size of each generated pcap
#   REPEATS=3              repeats (outer loop)
#   BENCH_DIR=<dir>        where pcaps and files go (default: a temp dir, removed unless KEEP=1)
#   RESULTS=FILE           the raw rows (tab-separated; default in the bench directory)
#
# Output: one line per trial (repeat, sink, size, records, seconds, records/s, CPU (user+sys) µs per
# packet of gulp, not of the broker), then the medians per sink and size and the ratios kafka/files
# taken per repeat (BENCHMARKS.md §3.7).
# Both sinks include gulp's start-up (a new topic per trial, 4 partitions, created by a tiny run first
# and not measured): use a FILE_BYTES large enough that the start-up does not dominate. The broker's
# own CPU is not counted.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
source "$here/bin/lib/find-java.sh"
SIZES="${SIZES:-64 1500}"
FILE_BYTES="${FILE_BYTES:-268435456}"
REPEATS="${REPEATS:-3}"
dir="${BENCH_DIR:-$(mktemp -d "$here/target/kafka-bench.XXXXXX")}"
mkdir -p "$dir"

(cd "$here" && JAVA_HOME="$JAVA_HOME_25" mvn -q -B -o -DskipTests package test-compile \
    dependency:build-classpath -Dmdep.outputFile="$dir/cp.txt" >&2)
cp="$here/target/test-classes:$here/target/classes:$(cat "$dir/cp.txt")"

broker_out="$dir/broker.out"
mkfifo "$dir/broker.in"
# the broker's java.io.tmpdir (its log directories, lz4-java's unpacked library): removed at the end
broker_tmp="$(mktemp -d "$dir/broker-tmp.XXXXXX")"
"$JAVA" -Xmx1g -XX:-UsePerfData -Djava.io.tmpdir="$broker_tmp" -cp "$cp" gulp.kafka.KafkaTestBroker \
    < "$dir/broker.in" > "$broker_out" 2>/dev/null &
broker=$!
exec 9> "$dir/broker.in"   # the broker serves until this closes
cleanup() { exec 9>&-; kill "$broker" 2>/dev/null || true; wait "$broker" 2>/dev/null || true
  rm -rf "$broker_tmp"
  [ -n "${KEEP:-}" ] || [ -n "${BENCH_DIR:-}" ] || rm -rf "$dir"; }
trap cleanup EXIT
for _ in $(seq 1 120); do grep -q '^BOOTSTRAP ' "$broker_out" 2>/dev/null && break; sleep 0.5; done
bootstrap="$(sed -n 's/^BOOTSTRAP //p' "$broker_out")"
[ -n "$bootstrap" ] || { echo "kafka-bench: the broker did not start" >&2; exit 1; }
echo "broker at $bootstrap" >&2

"$JAVA" -cp "$cp" gulp.bench.PcapGenerator plain 64 4096 "$dir/tiny.pcap" >&2
for size in $SIZES; do
  [ -f "$dir/$size.pcap" ] || "$JAVA" -cp "$cp" gulp.bench.PcapGenerator plain "$size" "$FILE_BYTES" "$dir/$size.pcap"
done

rows="${RESULTS:-$dir/rows.tsv}"
printf 'rep\tsink\tinput\tsize\trecords\tseconds\trecords_per_s\tcpu_us_per_packet\n' > "$rows"
printf '%-3s %-6s %5s %10s %8s %11s %9s\n' rep sink size records seconds records/s cpu_us/pkt
for r in $(seq 1 "$REPEATS"); do      # repeats outside, the two sinks alternating inside
  for size in $SIZES; do
    for sink in kafka files; do
      rm -rf "$dir/out"; mkdir "$dir/out"
      if [ "$sink" = kafka ]; then
        args=(--kafka "$bootstrap" --kafka-topic "bench-$size-$r")
        # the topic is auto-created (4 partitions) by a tiny run first, so its creation is not measured
        "$here/bin/gulp" --read "$dir/tiny.pcap" "${args[@]}" -q 2> "$dir/stderr" \
          || { echo "kafka-bench: creating the topic failed:" >&2; cat "$dir/stderr" >&2; exit 1; }
      else
        args=(-o "$dir/out")
      fi
      /usr/bin/time -f '%e %U %S' -o "$dir/time" "$here/bin/gulp" --read "$dir/$size.pcap" "${args[@]}" -q \
        2> "$dir/stderr" || { echo "kafka-bench: gulp failed:" >&2; cat "$dir/stderr" >&2; exit 1; }
      records="$(sed -n 's/^\([0-9]*\) records written$/\1/p' "$dir/stderr")"
      dropped="$(sed -n 's/^\([0-9]*\) records dropped (kafka)$/\1/p' "$dir/stderr")"
      [ "${dropped:-0}" = 0 ] || echo "kafka-bench: warning: $dropped kafka drops" >&2
      read -r secs user sys < "$dir/time"
      awk -v r="$r" -v s="$size" -v k="$sink" -v n="$records" -v t="$secs" -v u="$user" -v y="$sys" 'BEGIN {
        printf "%-3s %-6s %5s %10d %8.2f %11.0f %9.3f\n", r, k, s, n, t, n / t, (u + y) * 1e6 / n > "/dev/stderr"
        printf "%s\t%s\tread\t%s\t%d\t%.2f\t%.0f\t%.3f\n", r, k, s, n, t, n / t, (u + y) * 1e6 / n }' >> "$rows"
    done
  done
done 2>&1

echo
echo "Medians (min-max) over $REPEATS repeats (whole process, JVM start included):"
python3 "$here/bench/lib/medians.py" "$rows" "sink,input,size" "records/s:6:k,CPU µs per packet:7:3"
echo
echo "Kafka against files, per repeat (same repeat, minutes apart), median (min-max) of the ratios:"
python3 "$here/bench/lib/ratios.py" "$rows" 3 1 files "records/s:6,CPU per packet:7"
