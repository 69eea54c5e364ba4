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
# Peer: dumpcap, which writes pcapng by default and classic pcap with -P, run as its users run it
# (dumpcap -B 256) on the same INPUT given as its stdin (dumpcap -i - reads a pcap stream), in
# the same repeats (after the jars, the formats swapped as theirs): its own pcapng/pcap ratio is
# the figure gulp's is held against. DUMPCAP_INPUT (default INPUT) may be a prefix of INPUT, as
# dumpcap reads a stream a record at a time (about 6 s per million 64-byte records here);
# PEER=none leaves it out.
#
# Output: one line per run (jar or dumpcap, format, user+sys seconds, elapsed), then per jar and
# for dumpcap the median CPU of each format and the ratio pcapng/pcap of the medians, and the same
# for user and for system time apart (user: gulp's own code and its JIT; system: the kernel, where
# reading INPUT costs both formats the same and writing OUT costs pcapng its 20 % more bytes). OUT
# (default /dev/shm/format-bench.out) is overwritten by every run. JVM flags as bin/gulp's, without
# the AOT cache.
#
# PREFILL=1 (OUT a file on tmpfs): before each run OUT is written with zeros as long as that
# format's output (measured by one uncounted run of each jar and format first) and the run writes
# over it (stdout opened with 1<>, no truncation): no page of OUT is allocated while gulp runs, so
# the figure is gulp plus the kernel's copy into the page cache, without the page allocation and
# its accounting (and without a page that the hypervisor must first back with memory: see
# BENCHMARKS.md §3.4). OUT=/dev/null leaves the file system out entirely.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: bench/format-cpu-bench.sh INPUT.pcap [REPEATS] [JAR...]" >&2; exit 2; }
INPUT=$1; REPEATS=${2:-3}; shift; [ $# -gt 0 ] && shift
JARS=("$@"); [ ${#JARS[@]} -gt 0 ] || JARS=("$here/target/gulp.jar")
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
OUT=${OUT:-/dev/shm/format-bench.out}
PEER=${PEER:-dumpcap}
DUMPCAP_INPUT=${DUMPCAP_INPUT:-$INPUT}
if [ "$PEER" = dumpcap ] && ! command -v dumpcap > /dev/null; then
  echo "dumpcap not found (apt-get install wireshark-common, or PEER=none)" >&2; exit 2
fi
source "$here/bin/lib/jvm-flags.sh"   # GULP_JVM_FLAGS: the flags bin/gulp and the package run with
FLAGS=("${GULP_JVM_FLAGS[@]}")
PREFILL=${PREFILL:-}
RESULTS=$(mktemp)
USER_RESULTS=$(mktemp)
SYS_RESULTS=$(mktemp)
TIMES=$(mktemp)
trap 'rm -f "$RESULTS" "$USER_RESULTS" "$SYS_RESULTS" "$TIMES"; if [ -f "$OUT" ]; then rm -f "$OUT"; fi' EXIT   # OUT=/dev/null is left alone
declare -A SIZE   # PREFILL: the output length of each jar and format
run() { # jar format
  local t
  if [ -n "$PREFILL" ]; then
    rm -f "$OUT"; head -c "${SIZE[$1 $2]}" /dev/zero > "$OUT"
  fi
  if [ -n "$PREFILL" ]; then # written over, not truncated
    t=$( { /usr/bin/time -f '%U %S %e' "$JAVA" "${FLAGS[@]}" -jar "$1" -q --read "$INPUT" --format "$2" 1<> "$OUT"; } 2>&1 | tail -1)
  else
    t=$( { /usr/bin/time -f '%U %S %e' "$JAVA" "${FLAGS[@]}" -jar "$1" -q --read "$INPUT" --format "$2" > "$OUT"; } 2>&1 | tail -1)
  fi
  read -r u s e <<<"$t"
  local cpu; cpu=$(echo "$u + $s" | bc)
  echo "$1 $2 cpu $cpu s (user $u, sys $s) elapsed $e s" >&2
  echo "$1 $2 $cpu" >> "$RESULTS"
  echo "$1 $2 $u" >> "$USER_RESULTS"
  echo "$1 $2 $s" >> "$SYS_RESULTS"
}
if [ -n "$PREFILL" ]; then
  [ -f "$OUT" ] || [ ! -e "$OUT" ] || { echo "PREFILL needs OUT to be a regular file (on tmpfs)" >&2; exit 2; }
  for jar in "${JARS[@]}"; do
    for fmt in pcap pcapng; do
      "$JAVA" "${FLAGS[@]}" -jar "$jar" -q --read "$INPUT" --format "$fmt" > "$OUT" 2> /dev/null
      SIZE[$jar $fmt]=$(stat -c %s "$OUT")
    done
  done
fi
dumpcap_run() { # format: dumpcap -B 256 writing pcapng (its default) or pcap (-P)
  local u s e cpu
  /usr/bin/time -o "$TIMES" -f '%U %S %e' dumpcap -q -B 256 -i - $([ "$1" = pcap ] && echo -P) -w "$OUT" \
    < "$DUMPCAP_INPUT" 2> /dev/null
  read -r u s e < <(tail -1 "$TIMES")
  cpu=$(echo "$u + $s" | bc)
  echo "dumpcap $1 cpu $cpu s elapsed $e s" >&2
  echo "dumpcap $1 $cpu" >> "$RESULTS"
}
for ((r = 1; r <= REPEATS; r++)); do
  for jar in "${JARS[@]}"; do
    if (( r % 2 )); then run "$jar" pcap; run "$jar" pcapng; else run "$jar" pcapng; run "$jar" pcap; fi
  done
  if [ "$PEER" = dumpcap ]; then
    if (( r % 2 )); then dumpcap_run pcap; dumpcap_run pcapng; else dumpcap_run pcapng; dumpcap_run pcap; fi
  fi
done
. "$(dirname "$0")/lib/format-medians.sh"
if [ "$PEER" = dumpcap ]; then
  format_medians "median CPU" s "${JARS[@]}" dumpcap
else
  format_medians "median CPU" s "${JARS[@]}"
fi
RESULTS=$USER_RESULTS format_medians "median user" s "${JARS[@]}"
RESULTS=$SYS_RESULTS format_medians "median sys" s "${JARS[@]}"
