#!/usr/bin/env bash
# The record encoder alone (gulp.bench.EncoderCpuTime: encode, publish, walk, release one core,
# thread CPU time, min ns per record of BATCHES batches), classic pcap against pcapng, for this
# checkout and OLD_DIR (another built checkout, e.g. the previous build), one case per JVM, the
# builds and formats alternating in each repeat:
#
#   bench/encoder-cpu-compare.sh OLD_DIR [REPEATS] [FRAME_BYTES] [BATCHES]
#   defaults: 3 repeats, 64-byte frames, 30 batches. Formats: pcap, pcapng (epb_flags, as live
#   packets), pcapng-file (no options, as file input).
#
# Output: one line per JVM, then per build and format the median over the repeats of the minima,
# and pcapng/pcap per build. Both checkouts need `mvn test-compile` and target/cp.txt (BENCHMARKS.md §2).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: bench/encoder-cpu-compare.sh OLD_DIR [REPEATS] [FRAME_BYTES] [BATCHES]" >&2; exit 2; }
OLD=$(cd "$1" && pwd); REPEATS=${2:-3}; BYTES=${3:-64}; BATCHES=${4:-30}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
RESULTS=$(mktemp); trap 'rm -f "$RESULTS"' EXIT
cp_of() { echo "$1/target/test-classes:$1/target/classes:$(cat "$here/target/cp.txt")"; }
for ((r = 1; r <= REPEATS; r++)); do
  for fmt in pcap pcapng pcapng-file; do
    for build in old new; do
      dir=$here; [ $build = old ] && dir=$OLD
      line=$("$JAVA" --enable-native-access=ALL-UNNAMED -cp "$(cp_of "$dir")" gulp.bench.EncoderCpuTime "$fmt" "$BYTES" "$BATCHES")
      echo "$build $line" >&2
      echo "$build $fmt $(awk '{print $3}' <<<"$line")" >> "$RESULTS"
    done
  done
done
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
for build in old new; do
  p=$(awk -v b=$build '$1 == b && $2 == "pcap" {print $3}' "$RESULTS" | median)
  for fmt in pcapng pcapng-file; do
    n=$(awk -v b=$build -v f=$fmt '$1 == b && $2 == f {print $3}' "$RESULTS" | median)
    echo "$build: pcap $p ns, $fmt $n ns per record, $fmt/pcap $(echo "scale=3; $n / $p" | bc)"
  done
done
