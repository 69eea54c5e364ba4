#!/usr/bin/env bash
# Reader drain rate: gulp is stopped (SIGSTOP) while COUNT frames fill its kernel ring, then
# continued (SIGCONT); the time until every frame is in the output file gives the drain rate.
#
#   bench/drain-bench.sh [COUNT] [FRAME_BYTES] [REPEATS]      defaults: 1000000 64 3
#
# Same private test bed as capture-bench.sh (veth between two fresh namespaces, nft drop sink).
# gulp runs under taskset -c 1 with a 512 MiB kernel ring (-B 512) and a 512 MiB ring (-r 512),
# output to a file on disk. Also reports the reader thread's CPU time for the drain, and at the end
# the median (min-max) over the repeats.
#   GULP_CLASSES=DIR   measure another build's classes (default target/classes)
#   GULP_JVM_OPTS=...  extra JVM options (e.g. a JFR recording); GULP_OPTS=... extra gulp options
#   CAPTURE_CPUS=LIST  taskset list for gulp (default 1: reader, writer and ext4 share CPU 1; with
#                      "0,1" add GULP_OPTS="--reader-cpu 1 --writer-cpu 0" to give each its own core)
set -euo pipefail
set -m
here="$(cd "$(dirname "$0")/.." && pwd)"
COUNT=${1:-1000000}
SIZE=${2:-64}
REPEATS=${3:-3}
CLASSES=${GULP_CLASSES:-$here/target/classes}   # GULP_CLASSES: measure another build
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
source "$here/bin/lib/jvm-flags.sh"   # GULP_JVM_FLAGS: the flags bin/gulp and the package run with
source "$here/bench/lib/testbed.sh"
testbed_up gtd

for r in $(seq 1 "$REPEATS"); do
  ip netns exec $CAP taskset -c ${CAPTURE_CPUS:-1} "$JAVA" "${GULP_JVM_FLAGS[@]}" ${GULP_JVM_OPTS:-} \
    -cp "$CLASSES" gulp.cli.Main -i $CIF -B 512 -r 512 ${GULP_OPTS:-} > $OUT/cap.pcap 2> $OUT/gulp.log &
  pid=$!
  for _ in $(seq 1 300); do grep -qs "listening on" $OUT/gulp.log && break; sleep 0.05; done
  sleep 1
  kill -STOP $pid
  ip netns exec $GEN taskset -c 0 "$JAVA" --enable-native-access=ALL-UNNAMED \
    -cp "$here/target/test-classes:$here/target/classes" gulp.bench.LiveSender $GIF $SIZE $COUNT > /dev/null
  sleep 0.5   # let the last block time out in the kernel
  python3 - "$pid" "$OUT/cap.pcap" "$COUNT" "$SIZE" <<'PY' | tee -a $OUT/results
import os, sys, time, signal
pid, path, count, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
target = 24 + count * (16 + size)
def reader_ticks():
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            if open(f"/proc/{pid}/task/{tid}/comm").read().strip() == "gulp-reader":
                f = open(f"/proc/{pid}/task/{tid}/stat").read().rsplit(")", 1)[1].split()
                return int(f[11]) + int(f[12])
        except OSError:
            pass
    return 0
ticks = reader_ticks()
start = time.monotonic()
os.kill(pid, signal.SIGCONT)
while os.path.getsize(path) < target and time.monotonic() - start < 60:
    time.sleep(0.002)
wall = time.monotonic() - start
cpu = (reader_ticks() - ticks) / os.sysconf("SC_CLK_TCK")
got = os.path.getsize(path)
print(f"drained {count} x {size} B in {wall:.3f} s = {count / wall / 1e6:.2f} Mpps wall; "
      f"reader CPU {cpu:.2f} s = {cpu * 1e9 / count:.0f} ns/pkt; file {'complete' if got >= target else f'short by {target - got} B'}")
PY
  kill -INT $pid; wait $pid || true
  grep -E 'dropped|captured' $OUT/gulp.log | tr '\n' ';'; echo
  rm -f $OUT/cap.pcap
done
python3 - $OUT/results <<'PY'
import re, sys, statistics
rows = [l for l in open(sys.argv[1]) if l.startswith("drained")]
mpps = [float(re.search(r"= ([0-9.]+) Mpps", l).group(1)) for l in rows]
ns = [float(re.search(r"= ([0-9]+) ns/pkt", l).group(1)) for l in rows]
med = lambda v, f: f"{f(statistics.median(v))} ({f(min(v))}-{f(max(v))})"
print(f"median of {len(rows)}: wall {med(mpps, lambda x: f'{x:.2f}')} Mpps; reader CPU {med(ns, lambda x: f'{x:.0f}')} ns/pkt"
      f" = {1e3 / statistics.median(ns):.2f} Mpps per reader core")
PY
