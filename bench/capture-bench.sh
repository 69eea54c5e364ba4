#!/usr/bin/env bash
# Live capture benchmark: gulp vs tcpdump -w vs netsniff-ng on a private veth test bed.
#
#   bench/capture-bench.sh [COUNT] [REPEATS] [SIZES] [TOOLS] [MODES] [PPS]
#   defaults: 1000000 1 "64 300 1500" "none gulp tcpdump netsniff" "A B" 0 (0 = as fast as possible)
#   GULP_OPTS adds options to gulp's command line (e.g. GULP_OPTS="-r 1024").
#
# Test bed (docs/capture-testbed recipe): namespaces gtb-<pid>-g / -c joined by a veth pair, the
# capture side with no address and an nftables netdev ingress drop sink. Generator: the Java
# sendmmsg sender (gulp.bench.LiveSender, batches of 64) pinned to CPU 0 in the generator
# namespace; capturer under taskset -c 1. Mode A: receive softirq on the sender's CPU (no RPS);
# mode B: RPS moves it to CPU 1, the capture CPU. Every tool gets a 256 MiB kernel buffer.
# Loss = delta rx_packets of the capture veth - records in the file. Output files go to a temp
# folder on disk and are deleted after counting. Needs root, Java 25, tcpdump, netsniff-ng, capinfos.
set -euo pipefail
set -m   # background jobs in their own process groups, with SIGINT not ignored
here="$(cd "$(dirname "$0")/.." && pwd)"
COUNT=${1:-1000000}
REPEATS=${2:-1}
SIZES=${3:-"64 300 1500"}
TOOLS=${4:-"none gulp tcpdump netsniff"}
MODES=${5:-"A B"}
PPS=${6:-0}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
GEN=gtb-$$-g; CAP=gtb-$$-c; GIF=gtb$$g; CIF=gtb$$c
OUT=$(mktemp -d "${TMPDIR:-/var/tmp}/gulp-bench.XXXXXX")
CP="$here/target/test-classes:$here/target/classes"

cleanup() { ip netns del $GEN 2>/dev/null || true; ip netns del $CAP 2>/dev/null || true; rm -rf "$OUT"; }
trap cleanup EXIT

ip netns add $GEN; ip netns add $CAP
for n in $GEN $CAP; do ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
ip link add $GIF netns $GEN address 02:50:00:00:00:01 type veth peer name $CIF netns $CAP address 02:50:00:00:00:02
ip -n $GEN link set lo up; ip -n $CAP link set lo up; ip -n $GEN link set $GIF up; ip -n $CAP link set $CIF up
ip netns exec $CAP nft -f - <<X
table netdev gtbsink { chain in { type filter hook ingress device "$CIF" priority 0; policy drop; }; }
X

rx() { ip netns exec $CAP cat /sys/class/net/$CIF/statistics/rx_packets; }
rps() { ip netns exec $CAP sh -c "echo $1 > /sys/class/net/$CIF/queues/rx-0/rps_cpus"; }

# Starts TOOL in the background writing $OUT/cap.pcap, waits for its ready line.
start_tool() {
  local tool=$1 log=$OUT/tool.log
  : > "$log"
  case $tool in
    gulp) ip netns exec $CAP taskset -c 1 "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx512m -XX:+UseSerialGC \
            -cp "$here/target/classes" gulp.cli.Main -i $CIF -B 256 ${GULP_OPTS:-} > $OUT/cap.pcap 2> "$log" & ready="listening on" ;;
    tcpdump) ip netns exec $CAP taskset -c 1 tcpdump -i $CIF -n -B 262144 -w $OUT/cap.pcap 2> "$log" & ready="listening on" ;;
    netsniff) ip netns exec $CAP taskset -c 1 netsniff-ng --in $CIF --out $OUT/cap.pcap -s -S 256MiB -T 0xa1b2c3d4 -b 1 \
            > "$log" 2>&1 & ready="Running" ;;
  esac
  pid=$!
  for _ in $(seq 1 300); do grep -q "$ready" "$log" 2>/dev/null && break; sleep 0.05; done
  sleep 1
}

# Waits until the output stops growing for 1 s (at most 60 s), then SIGINT.
stop_tool() {
  local last=-1 stable=0
  for _ in $(seq 1 300); do
    local size; size=$(stat -c %s $OUT/cap.pcap 2>/dev/null || echo 0)
    if [ "$size" = "$last" ]; then stable=$((stable+1)); else stable=0; last=$size; fi
    [ $stable -ge 5 ] && break
    sleep 0.2
  done
  kill -INT $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
}

printf "%-9s %-4s %5s %9s %9s %9s %8s %s\n" tool mode size sent_pps delivered captured loss% tool_drops
for r in $(seq 1 "$REPEATS"); do
for mode in $MODES; do
  if [ "$mode" = B ]; then rps 2; else rps 0; fi
  for size in $SIZES; do
    for tool in $TOOLS; do
      rm -f $OUT/cap.pcap
      [ "$tool" != none ] && start_tool $tool
      before=$(rx)
      sent=$(ip netns exec $GEN "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" gulp.bench.LiveSender $GIF $size $COUNT 0 $PPS)
      pps=$(echo "$sent" | sed -E 's/.*= ([0-9]+) pps.*/\1/')
      delivered=$(( $(rx) - before ))
      captured=-; loss=-; drops=-
      if [ "$tool" != none ]; then
        stop_tool
        captured=$(capinfos -c -M $OUT/cap.pcap 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
        captured=${captured:-0}
        loss=$(awk -v d=$delivered -v c=$captured 'BEGIN { x = (d > 0) ? 100 * (d - c) / d : 0; printf "%.2f", x }')
        case $tool in
          gulp) drops=$(awk '/dropped by the kernel/ {k=$1} /ring full/ {f=$1} END {print k "k+" f "r"}' $OUT/tool.log) ;;
          tcpdump) drops=$(awk '/dropped by kernel/ {print $1}' $OUT/tool.log) ;;
          netsniff) drops=$(grep -Eo '[0-9]+ +packets (dropped|failed)' $OUT/tool.log | head -1 | awk '{print $1}') ;;
        esac
        [ "$tool" = gulp ] && grep -o 'ready [0-9.]* s' $OUT/tool.log | sed 's/^/  # gulp /' >&2 || true
      fi
      printf "%-9s %-4s %5s %9s %9s %9s %8s %s\n" $tool $mode $size $pps $delivered $captured $loss "$drops"
      rm -f $OUT/cap.pcap
    done
  done
done
done
rps 0
