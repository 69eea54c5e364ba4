#!/usr/bin/env bash
# The extraction index's CPU cost (issue 13), this build against another, in one command:
#
#   bench/index-bench.sh OLD_DIR [REPEATS]     e.g. bench/index-bench.sh /tmp/old 3
#   OLD_DIR  a built checkout of the other build (git archive COMMIT | tar -x -C OLD_DIR; mvn -o -DskipTests package there)
#
# 1. Makes the two 10 M x 64 B inputs on tmpfs if missing (gulp.bench.PcapGenerator): `plain`
#    (one flow, /dev/shm/index-plain64.pcap) and `flows` (65 536 hosts in flows of 1-15 packets,
#    TCP and UDP, one in ten over IPv6: /dev/shm/index-flows64.pcap), 800 MB each.
# 2. Whole process: bench/index-cpu-bench.sh on each input, both builds, index and --no-index
#    alternating (repeats outside): user + sys of `gulp -q --read IN -o DIR`, JVM start and JIT included.
# 3. The writer's loop per record by thread CPU time (gulp.bench.IndexerCpuTime, 60 batches (20 were too
#    few for a least disturbed one on a busy machine, 2026-12-02) of spans of 32768 records of
#    16 interleaved flows, 100 000 and 64 hosts), the builds alternating, REPEATS times: `walk`
#    is the writer's bare record walk; this build's `index` is that walk showing the index each
#    packet; an older build's `index` (before 2026-12-01 evening) is the index's own second walk,
#    so its writer pays `walk` + `index`.
# Prints the figures of each; medians are the reader's to take (3: repeats).
set -euo pipefail
old=$1 repeats=${2:-3}
here="$(cd "$(dirname "$0")/.." && pwd)"
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
plain=/dev/shm/index-plain64.pcap flows=/dev/shm/index-flows64.pcap
[ -s "$plain" ] || "$JAVA" -cp "$here/target/test-classes:$here/target/classes" gulp.bench.PcapGenerator plain 64 800000000 "$plain"
[ -s "$flows" ] || "$JAVA" -cp "$here/target/test-classes:$here/target/classes" gulp.bench.PcapGenerator flows 64 800000000 "$flows"
for in in "$plain" "$flows"; do
  echo "== whole process, $in (build0 = $old, build1 = this build)"
  "$here/bench/index-cpu-bench.sh" "$in" "$repeats" "$old/target/gulp.jar" "$here/target/gulp.jar"
done
jmh=$(find ~/.m2 -name 'jmh-core-*.jar' | head -1)
echo "== writer's loop per record (ns: least disturbed batch, median batch)"
for r in $(seq "$repeats"); do
  for b in old new; do
    dir=$here; [ "$b" = old ] && dir=$old
    for c in "walk pcap 100000 flows" "index pcap 100000 flows" "index pcap 64 flows"; do
      echo -n "repeat $r $b "
      "$JAVA" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -Dgulp.bench.warmUpMillis=2000 \
        -cp "$dir/target/test-classes:$dir/target/classes:$jmh" gulp.bench.IndexerCpuTime $c 60 32768
    done
  done
done
