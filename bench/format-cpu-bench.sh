#!/usr/bin/env bash
# Whole-process CPU of classic pcap against pcapng output (issue 11: pcapng at most 5 % more CPU
# per packet at 64 B), file input to a file on tmpfs, the formats (and builds) alternating:
#
#   bench/format-cpu-bench.sh INPUT.pcap [REPEATS] [JAR...]
#   INPUT    e.g. /dev/shm/b64.pcap from
#            java -cp target/classes:target/test-classes gulp.bench.PcapGenerator plain 64 800000000 /dev/shm/b64.pcap
#   REPEATS  default 3 (the outer loop; each repeat runs every jar with pcap, then pcapng, the
#            order of the formats swapped on odd repeats)
#   JAR      default target/gulp.jar; give two (e.g. a copy of the old build and the new one) to
#            compare builds in the same minutes
#
# Output: one line per run (jar, format, user+sys seconds, elapsed), then per jar the median CPU
# of each format and the ratio pcapng/pcap of the medians. OUT (default /dev/shm/format-bench.out)
# is overwritten by every run. JVM flags as bin/gulp's, without the AOT cache.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: bench/format-cpu-bench.sh INPUT.pcap [REPEATS] [JAR...]" >&2; exit 2; }
INPUT=$1; REPEATS=${2:-3}; shift; [ $# -gt 0 ] && shift
JARS=("$@"); [ ${#JARS[@]} -gt 0 ] || JARS=("$here/target/gulp.jar")
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
OUT=${OUT:-/dev/shm/format-bench.out}
source "$here/bin/lib/jvm-flags.sh"   # GULP_JVM_FLAGS: the flags bin/gulp and the package run with
FLAGS=("${GULP_JVM_FLAGS[@]}")
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS" "$OUT"' EXIT
run() { # jar format
  local t
  t=$( { /usr/bin/time -f '%U %S %e' "$JAVA" "${FLAGS[@]}" -jar "$1" -q --read "$INPUT" --format "$2" > "$OUT"; } 2>&1 | tail -1)
  read -r u s e <<<"$t"
  local cpu; cpu=$(echo "$u + $s" | bc)
  echo "$1 $2 cpu $cpu s elapsed $e s" >&2
  echo "$1 $2 $cpu" >> "$RESULTS"
}
for ((r = 1; r <= REPEATS; r++)); do
  for jar in "${JARS[@]}"; do
    if (( r % 2 )); then run "$jar" pcap; run "$jar" pcapng; else run "$jar" pcapng; run "$jar" pcap; fi
  done
done
. "$(dirname "$0")/lib/format-medians.sh"
format_medians "median CPU" s "${JARS[@]}"
