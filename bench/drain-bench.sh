#!/usr/bin/env bash
# Reader drain rate: gulp is stopped (SIGSTOP) while COUNT frames fill its kernel ring, then
# continued (SIGCONT); the time until every frame is in the output file gives the drain rate.
#
#   bench/drain-bench.sh [COUNT] [FRAME_BYTES] [REPEATS]      defaults: 1000000 64 3
#
# Same private test bed as capture-bench.sh (veth between two fresh namespaces, nft drop sink).
# gulp runs under taskset -c 1 with a 512 MiB kernel ring (-B 512) and a 512 MiB ring (-r 512),
# output to a file on disk. Also reports the reader thread's CPU time for the drain.
set -euo pipefail
set -m
here="$(cd "$(dirname "$0")/.." && pwd)"
COUNT=${1:-1000000}
SIZE=${2:-64}
REPEATS=${3:-3}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
GEN=gtd-$$-g; CAP=gtd-$$-c; GIF=gtd$$g; CIF=gtd$$c
OUT=$(mktemp -d "${TMPDIR:-/var/tmp}/gulp-drain.XXXXXX")
cleanup() { ip netns del $GEN 2>/dev/null || true; ip netns del $CAP 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT
ip netns add $GEN; ip netns add $CAP
for n in $GEN $CAP; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
ip link add $GIF netns $GEN address 02:50:00:00:00:01 type veth peer name $CIF netns $CAP address 02:50:00:00:00:02
ip -n $GEN link set $GIF up; ip -n $CAP link set $CIF up
ip netns exec $CAP nft -f - <<X
table netdev gtdsink { chain in { type filter hook ingress device "$CIF" priority 0; policy drop; }; }
X

for r in $(seq 1 "$REPEATS"); do
  ip netns exec $CAP taskset -c 1 "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx512m -XX:+UseSerialGC ${GULP_JVM_OPTS:-} \
    -cp "$here/target/classes" gulp.cli.Main -i $CIF -B 512 -r 512 > $OUT/cap.pcap 2> $OUT/gulp.log &
  pid=$!
  for _ in $(seq 1 300); do grep -qs "listening on" $OUT/gulp.log && break; sleep 0.05; done
  sleep 1
  kill -STOP $pid
  ip netns exec $GEN taskset -c 0 "$JAVA" --enable-native-access=ALL-UNNAMED \
    -cp "$here/target/test-classes:$here/target/classes" gulp.bench.LiveSender $GIF $SIZE $COUNT > /dev/null
  sleep 0.5   # let the last block time out in the kernel
  python3 - "$pid" "$OUT/cap.pcap" "$COUNT" "$SIZE" <<'PY'
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
