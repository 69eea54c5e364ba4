#!/usr/bin/env bash
# Per-packet CPU of pcap and pcapng output once the JIT has settled: the whole process reading
# INPUT once and N times (--read repeated), the difference divided by the extra packets, so JVM
# start, warm-up and the recompilations of the first ring pass cancel out (issue 11's budget is per
# packet; a 10 M-packet run of bench/format-cpu-bench.sh includes about a second of them).
#
#   bench/format-steady-bench.sh INPUT.pcap PACKETS [REPEATS] [N] [JAR...]
#   PACKETS  records in INPUT (10000000 for PcapGenerator plain 64 800000000)
#   REPEATS  default 3; N default 4; JAR default target/gulp.jar
#
# SAME_BYTES=INPUT2 (optional): also classic pcap of INPUT2, PACKETS records as long as INPUT's
# pcapng blocks (PcapGenerator plain 80 960000000: 96-byte pcap records, as a 64-byte packet's
# enhanced packet block), in the same repeats: what pcap costs for the bytes pcapng writes, so the
# share of pcapng's extra cost that is its 16 more bytes a record shows.
#
# Output: per run the CPU (user+sys), then per jar and format the median ns per extra packet and the
# ratio pcapng/pcap (and with SAME_BYTES, pcapng against pcap of records of the same length). JVM flags as bin/gulp's, without the AOT cache; output to OUT on tmpfs.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: bench/format-steady-bench.sh INPUT.pcap PACKETS [REPEATS] [N] [JAR...]" >&2; exit 2; }
INPUT=$1; PACKETS=$2; REPEATS=${3:-3}; N=${4:-4}; shift 2; [ $# -gt 0 ] && shift; [ $# -gt 0 ] && shift
JARS=("$@"); [ ${#JARS[@]} -gt 0 ] || JARS=("$here/target/gulp.jar")
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
OUT=${OUT:-/dev/shm/format-bench.out}
source "$here/bin/lib/jvm-flags.sh"   # GULP_JVM_FLAGS: the flags bin/gulp and the package run with
FLAGS=("${GULP_JVM_FLAGS[@]}")
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"; if [ -f "$OUT" ]; then rm -f "$OUT"; fi' EXIT   # OUT=/dev/null is left alone
SAME_BYTES=${SAME_BYTES:-}
cpu() { # jar format times [input]
  local reads=() t u s e
  for ((i = 0; i < $3; i++)); do reads+=(--read "${4:-$INPUT}"); done
  t=$( { /usr/bin/time -f '%U %S %e' "$JAVA" "${FLAGS[@]}" -jar "$1" -q --format "$2" "${reads[@]}" > "$OUT"; } 2>&1 | tail -1)
  read -r u s e <<<"$t"
  echo "$u + $s" | bc
}
for ((r = 1; r <= REPEATS; r++)); do
  for jar in "${JARS[@]}"; do
    for fmt in pcap pcapng; do
      one=$(cpu "$jar" "$fmt" 1); many=$(cpu "$jar" "$fmt" "$N")
      ns=$(echo "scale=2; ($many - $one) * 1000000000 / ($PACKETS * ($N - 1))" | bc)
      echo "$jar $fmt x1 $one s, x$N $many s: $ns ns per extra packet" >&2
      echo "$jar $fmt $ns" >> "$RESULTS"
    done
    if [ -n "$SAME_BYTES" ]; then
      one=$(cpu "$jar" pcap 1 "$SAME_BYTES"); many=$(cpu "$jar" pcap "$N" "$SAME_BYTES")
      ns=$(echo "scale=2; ($many - $one) * 1000000000 / ($PACKETS * ($N - 1))" | bc)
      echo "$jar pcap-same-bytes x1 $one s, x$N $many s: $ns ns per extra packet" >&2
      echo "$jar pcap-same-bytes $ns" >> "$RESULTS"
    fi
  done
done
. "$(dirname "$0")/lib/format-medians.sh"
format_medians "median ns per packet, steady" ns "${JARS[@]}"
if [ -n "$SAME_BYTES" ]; then
  for jar in "${JARS[@]}"; do
    b=$(awk -v j="$jar" '$1 == j && $2 == "pcap-same-bytes" {print $3}' "$RESULTS" | median)
    n=$(awk -v j="$jar" '$1 == j && $2 == "pcapng" {print $3}' "$RESULTS" | median)
    echo "$jar: pcap of records as long as pcapng's: $b ns, pcapng/that $(echo "scale=3; $n / $b" | bc)"
  done
fi
