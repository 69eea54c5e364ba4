#!/usr/bin/env bash
# The JIT's deoptimisations of gulp's per-packet path in one file run per jar and format (issue 11:
# the first record across the ring's end trapped claimedIndexIfContiguous, unstable_if, in each
# compiled method of the reader's path that inlines it, and each was compiled again):
#
#   bench/format-deopt-check.sh INPUT.pcap [JAR...]
#   INPUT  e.g. /dev/shm/b64.pcap (BENCHMARKS.md §3.4, "Inputs"); 100 MiB ring (-r 100, the
#          default for file input): 80-byte pcap records divide it, 96-byte pcapng blocks do not
#   JAR    default target/gulp.jar; give the old build's too to compare
#
# Output: per jar and format, the count of uncommon traps in the reader's path after the source
# (PacketPath, the encoders in gulp.format, the ring's producer), then each of those traps (the
# source's own at the end of the input, and the writer's, are left out: every run has them). Output to /dev/null; JVM flags as
# bin/gulp's. A few seconds a run; not a CPU figure, so a busy machine does not matter.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 1 ] || { echo "usage: bench/format-deopt-check.sh INPUT.pcap [JAR...]" >&2; exit 2; }
INPUT=$1; shift
JARS=("$@"); [ ${#JARS[@]} -gt 0 ] || JARS=("$here/target/gulp.jar")
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
source "$here/bin/lib/jvm-flags.sh"
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
for jar in "${JARS[@]}"; do
  for fmt in pcap pcapng; do
    "$JAVA" "${GULP_JVM_FLAGS[@]}" -Xlog:deoptimization=debug:stderr -jar "$jar" -q --read "$INPUT" --format "$fmt" \
      -r 100 2> "$LOG" > /dev/null
    traps=$(grep -o 'gulp\.\(ring\.ByteRing\$Producer\|format\|pipeline\.PacketPath\)[.$][^ ]* trap_bci=[0-9]* [a-z_]*' "$LOG" \
      | sort | uniq -c || true)
    echo "$jar $fmt: $(printf '%s' "$traps" | awk 'NF {n += $1} END {print n + 0}') traps in the path"
    [ -z "$traps" ] || printf '%s\n' "$traps" | sed 's/^/    /'
  done
done
