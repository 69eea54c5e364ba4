#!/usr/bin/env bash
# Live capture benchmark: gulp vs tcpdump -w (256 MiB and default buffer) vs dumpcap -w vs
# netsniff-ng on a private veth test bed.
#
#   bench/capture-bench.sh [COUNT] [REPEATS] [SIZES] [TOOLS] [MODES] [PPS]
#   defaults: 1000000 3 "64 300 1500" "none gulp tcpdump tcpdump-def dumpcap netsniff" "A B" 0
#   (PPS 0 = as fast as possible; tcpdump-def is tcpdump with its default 2 MiB buffer)
#   Two gulps: "gulp" is gulp as shipped, started the way a user starts it (`gulp -i IF > file`:
#   no taskset, no flags, the launcher's JVM flags; it places its own reader and writer) and is
#   the one for every loss figure; "gulp-1cpu" (not in the default list) is the one-CPU variant
#   for CPU per packet only: under taskset -c 1 with --reader-cpu 1 --writer-cpu 1, so every gulp
#   thread shares CPU 1 as the single-threaded peers do. "gulp-1cpu-idx" and "gulp-1cpu-noidx" are
#   that variant writing `-o DIR` (one 1000 MiB file, with its index) and `-o DIR --no-index`: the
#   extraction index's cost in a live capture (issue 13), CPU per packet only. Every gulp runs as
#   it ships: its jar with a JDK AOT cache (bin/gulp and the package train one after the build;
#   here one is trained for a private copy of the jar, with bin/lib/aot-train.sh). A gulp tool
#   name ending in -noaot (gulp-1cpu-noaot) runs the classes without the cache, as rounds 1-13 did.
#   GULP_JAVA_OPTS adds JVM options as bin/gulp does (e.g. a perf map: -XX:+UnlockDiagnosticVMOptions
#   -XX:+DumpPerfMapAtExit). GULP_OPTS adds options to both gulps' command lines (e.g. GULP_OPTS="-r 4096"); a run with it
#   is no longer "as shipped" and says so.
#   A tool name ending in @base (gulp@base, gulp-1cpu@base) runs the build of GULP_BASE (a
#   launcher path, e.g. /tmp/old/bin/gulp: its checkout's target/classes) in the same run, with
#   that checkout's JVM flags (its bin/lib/jvm-flags.sh), so a change of the shipped flags is compared too.
#   SENDER_MODE=flows sends 256 UDP flows in turn (gulp.bench.LiveSender's modes) instead of one.
#   RESULTS=FILE keeps the raw rows (tab-separated) there as well. PERF_OUT=PREFIX records each
#   capturer over the measured window (perf record -e cpu-clock -F 1999 -g -p PID) into
#   PREFIX.REP.TOOL.MODE.SIZE; for gulp's JIT code add GULP_JAVA_OPTS="-XX:+UnlockDiagnosticVMOptions
#   -XX:+DumpPerfMapAtExit" (the map is /tmp/perf-PID.map).
#
# Test bed (capture-testbed.md recipe): namespaces gtb-<pid>-g / -c joined by a veth pair, the
# capture side with no address and an nftables netdev ingress drop sink. Generator: the Java
# sendmmsg sender (gulp.bench.LiveSender, batches of 64) pinned to CPU 0 in the generator
# namespace. The peers run as their users run them, single-threaded on CPU 1: tcpdump
# -B 262144 and dumpcap -B 256 -P (classic pcap) under taskset -c 1, netsniff-ng -b 1 (its own
# pinning, its default ring: about 2.3 GiB on this box, gulp's kernel ring + ring is 2.3 GiB too);
# netsniff-256 is netsniff-ng -b 1 -S 256MiB (the earlier rounds' peer, a kernel ring of 256 MiB). gulp as shipped is not
# confined (its default kernel ring is 256 MiB as well); gulp-1cpu is (see above). Mode A: receive
# softirq on the sender's CPU (no RPS); mode B: RPS moves it to CPU 1, the capture CPU.
#
# Per run: loss = delta rx_packets of the capture veth - records in the file (capinfos);
# CPU = utime+stime of the capturer process (/proc/PID/stat) from just before the generator
# starts until just before SIGINT (start-up excluded), as seconds per million delivered packets;
# RSS = VmHWM of the capturer just before SIGINT; for gulp also the page faults its reader
# thread took itself (minflt of gulp-reader) and the whole process's CPU seconds with start-up
# (cpu_all_s), the CPU seconds of its fault-in thread (faultin_cpu_s, - once it has ended) and of its
# reader, writer, index and first C2 compiler threads over their whole lives, and that C2 thread's CPU seconds within the window (thread_cpu_s: C2-in-window).
# Steady state (gulp, the JIT's compilations of the first seconds left out): the same CPU counted
# from the moment STEADY_FROM % (default 30) of COUNT packets have reached the capture veth until
# the end (steady_cpu_s_per_mpkt), and the writer thread's share of it in ns a packet (steady_writer_ns).
# Repeats are the outer loop; a quiet gate waits
# (at most 3 s) for the rest of the machine to use < 20 % CPU before each run and logs it.
# At the end: median (min-max) per tool, mode and size. The classes are copied first, so a
# rebuild during the run does not change what is measured.
# Needs root, Java 25, tcpdump, dumpcap, netsniff-ng, capinfos, python3.
set -euo pipefail
set -m   # background jobs in their own process groups, with SIGINT not ignored
here="$(cd "$(dirname "$0")/.." && pwd)"
COUNT=${1:-1000000}
REPEATS=${2:-3}
SIZES=${3:-"64 300 1500"}
TOOLS=${4:-"none gulp tcpdump tcpdump-def dumpcap netsniff"}
MODES=${5:-"A B"}
PPS=${6:-0}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
source "$here/bin/lib/jvm-flags.sh"   # GULP_JVM_FLAGS: the flags bin/gulp and the package run with
source "$here/bench/lib/testbed.sh"
testbed_up gtb
ROWS=${RESULTS:-$OUT/rows.tsv}
HZ=$(getconf CLK_TCK)
copy_classes
copy_base_classes "$TOOLS"
BASE_JVM_FLAGS=("${GULP_JVM_FLAGS[@]}")
if [[ " $TOOLS " == *@base* ]] && [ -f "$(dirname "$GULP_BASE")/lib/jvm-flags.sh" ]; then
  mapfile -t BASE_JVM_FLAGS < <(source "$(dirname "$GULP_BASE")/lib/jvm-flags.sh"; printf '%s\n' "${GULP_JVM_FLAGS[@]}")
fi
# The jars and their AOT caches (trained here, for the copies), and the classes for the -noaot tools
ln -s classes "$OUT/gulp-classes"
[[ " $TOOLS " == *" gulp"* ]] && copy_jar_with_aot "$here/target/gulp.jar" gulp "${GULP_JVM_FLAGS[@]}"
if [[ " $TOOLS " == *@base* ]]; then
  copy_jar_with_aot "$(dirname "$GULP_BASE")/../target/gulp.jar" base "${BASE_JVM_FLAGS[@]}"
fi

hwm_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' /proc/$1/status 2>/dev/null || echo 0; }

GATE_WAIT="${GATE_WAIT:-3}"   # waiting longer would triple the run time on a shared machine
source "$here/bench/lib/quiet-gate.sh"

# Starts TOOL in the background writing $OUT/cap.pcap, waits for its ready line.
start_tool() {
  local tool=$1 log=$OUT/tool.log
  : > "$log"
  # gulp: the jar with its AOT cache, as bin/gulp and the package run it; -noaot: the classes alone
  local name=gulp flags=("${GULP_JVM_FLAGS[@]}")
  case $tool in *@base) name=base; flags=("${BASE_JVM_FLAGS[@]}"); tool=${tool%@base} ;; esac
  local cp=(-cp "$OUT/$name.jar")
  [ -f "$OUT/$name.aot" ] && cp=(-XX:AOTCache="$OUT/$name.aot" "${GULP_AOT_QUIET_FLAGS[@]}" "${cp[@]}")
  case $tool in *-noaot) cp=(-cp "$OUT/$name-classes"); tool=${tool%-noaot} ;; esac
  local java=("$JAVA" "${flags[@]}" ${GULP_JAVA_OPTS:-} "${cp[@]}" gulp.cli.Main)
  case $tool in
    gulp) ip netns exec $CAP "${java[@]}" -i $CIF ${GULP_OPTS:-} > $OUT/cap.pcap 2> "$log" & ready="listening on" ;;
    gulp-1cpu) ip netns exec $CAP taskset -c 1 "${java[@]}" \
            -i $CIF --reader-cpu 1 --writer-cpu 1 ${GULP_OPTS:-} > $OUT/cap.pcap 2> "$log" & ready="listening on" ;;
    gulp-1cpu-idx|gulp-1cpu-noidx) mkdir -p $OUT/capdir
          ip netns exec $CAP taskset -c 1 "${java[@]}" \
            -i $CIF --reader-cpu 1 --writer-cpu 1 -o $OUT/capdir $([ $tool = gulp-1cpu-noidx ] && echo --no-index) ${GULP_OPTS:-} \
            2> "$log" & ready="listening on" ;;
    tcpdump) ip netns exec $CAP taskset -c 1 tcpdump -i $CIF -n -B 262144 -w $OUT/cap.pcap 2> "$log" & ready="listening on" ;;
    tcpdump-def) ip netns exec $CAP taskset -c 1 tcpdump -i $CIF -n -w $OUT/cap.pcap 2> "$log" & ready="listening on" ;;
    dumpcap) ip netns exec $CAP taskset -c 1 dumpcap -i $CIF -B 256 -P -w $OUT/cap.pcap 2> "$log" & ready="Capturing on" ;;
    netsniff|netsniff-256) ip netns exec $CAP taskset -c 1 netsniff-ng --in $CIF --out $OUT/cap.pcap -s \
            $([ $tool = netsniff-256 ] && echo -S 256MiB) -T 0xa1b2c3d4 -b 1 \
            > "$log" 2>&1 & ready="Running" ;;
  esac
  pid=$!   # ip netns exec and taskset exec the tool, so this is the capturer itself
  for _ in $(seq 1 400); do grep -q "$ready" "$log" 2>/dev/null && break; sleep 0.05; done
  sleep 1
}

# The bytes written so far: $OUT/cap.pcap, or the files of $OUT/capdir (the -o tools).
cap_bytes() {
  if [ -d $OUT/capdir ]; then find $OUT/capdir -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}'
  else stat -c %s $OUT/cap.pcap 2>/dev/null || echo 0; fi
}

# The packets captured: capinfos of $OUT/cap.pcap, or of the capture files in $OUT/capdir (not their indexes).
cap_packets() {
  local f files=$OUT/cap.pcap n=0 c
  [ -d $OUT/capdir ] && files=$(find $OUT/capdir -type f ! -name '*.idx' ! -name '.*.idx.part')
  for f in $files; do
    c=$(capinfos -c -M "$f" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
    n=$((n + ${c:-0}))
  done
  echo $n
}

# Waits until the output stops growing for 1 s (at most 60 s); then reads CPU and RSS; SIGINT.
stop_tool() {
  local last=-1 stable=0
  for _ in $(seq 1 300); do
    local size; size=$(cap_bytes)
    if [ "$size" = "$last" ]; then stable=$((stable+1)); else stable=0; last=$size; fi
    [ $stable -ge 5 ] && break
    sleep 0.2
  done
  ticks_end=$(ticks $pid); rss=$(hwm_mib $pid); rflt=$(thread_stat $pid gulp-reader '$8')
  [ -n "$perfpid" ] && { kill -INT $perfpid 2>/dev/null || true; wait $perfpid 2>/dev/null || true; }
  wticks_end=$(thread_stat $pid gulp-writer '$12+$13'); rx_end=$(rx)
  fticks=$(thread_stat $pid gulp-ring-fault '$12+$13')   # gulp-ring-fault-in: comm is cut at 15 characters
  threads=-   # gulp: CPU seconds (whole life) of its reader, writer, index and first C2 compiler threads
  case ${tool%@base} in gulp*)
    threads=$(for t in gulp-reader gulp-writer gulp-index "C2 CompilerThre"; do
      thread_stat $pid "$t" '$12+$13' | awk -v n="${t%% *}" -v hz=$HZ '{ if ($1 == "-") printf "%s=- ", n; else printf "%s=%.2f ", n, $1 / hz }'
    done | sed 's/ $//; s/ /,/g')
    local c2_end; c2_end=$(thread_stat $pid "C2 CompilerThre" '$12+$13')
    [ "$c2_end" != - ] && [ "${c2_start:--}" != - ] && threads+=$(awk -v t=$((c2_end - c2_start)) -v hz=$HZ 'BEGIN { printf ",C2-in-window=%.2f", t / hz }') ;;
  esac
  kill -INT $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
}

# Background, during the send: once STEADY_FROM % of COUNT packets have arrived, writes
# "rx ticks writer_ticks" of the capturer to $OUT/steady (nothing if the send ends first).
steady_sampler() {
  local want=$(( before + COUNT * ${STEADY_FROM:-30} / 100 )) n
  for _ in $(seq 1 6000); do
    n=$(rx)
    if [ "$n" -ge "$want" ]; then
      echo "$n $(ticks $pid) $(thread_stat $pid gulp-writer '$12+$13')" > $OUT/steady
      return
    fi
    sleep 0.05
  done
}

# What each tool name ran, for the medians table (medians.py's NAME=LABEL list).
tool_labels() {
  local g=" ${GULP_OPTS:-}" b="(GULP_BASE)"
  [ -n "${GULP_OPTS:-}" ] || g=""
  local l="gulp=gulp as shipped: gulp -i IF$g > file (not confined: places its own threads)"
  l+=";gulp-1cpu=gulp one-CPU variant (CPU per packet only): taskset -c 1 gulp -i IF --reader-cpu 1 --writer-cpu 1$g"
  l+=";gulp-1cpu-idx=gulp one-CPU variant with -o DIR (the index kept);gulp-1cpu-noidx=gulp one-CPU variant with -o DIR --no-index"
  l+=";gulp-1cpu-noaot=gulp one-CPU variant without the AOT cache (the classes alone, as rounds 1-13 ran)"
  l+=";gulp@base=gulp as shipped $b;gulp-1cpu@base=gulp one-CPU variant $b;gulp-1cpu-noaot@base=the same without the AOT cache $b"
  l+=";tcpdump=taskset -c 1 tcpdump -B 262144 -w;tcpdump-def=taskset -c 1 tcpdump -w (2 MiB buffer)"
  l+=";dumpcap=taskset -c 1 dumpcap -B 256 -P -w;netsniff=netsniff-ng -b 1;netsniff-256=netsniff-ng -b 1 -S 256MiB;none=sender only"
  echo "$l"
}
echo "gulp = as shipped (no taskset, no flags${GULP_OPTS:+, but GULP_OPTS: $GULP_OPTS}); gulp-1cpu = one-CPU variant, for CPU per packet only"

[ -s "$ROWS" ] || printf "rep\ttool\tmode\tsize\tsent_pps\tdelivered\tcaptured\tloss_pct\tcpu_s_per_mpkt\trss_mib\tready_s\tbg_pct\tdrops\treader_minflt\tcpu_all_s\tfaultin_cpu_s\tthread_cpu_s\tsteady_cpu_s_per_mpkt\tsteady_writer_ns\n" > "$ROWS"
printf "%-3s %-11s %-4s %5s %9s %9s %9s %7s %9s %7s %6s %4s %s %s %s %s %s %s %s\n" rep tool mode size sent_pps delivered captured loss% cpu_s/Mp rss_MiB ready bg% tool_drops rdr_flt cpu_all fault_cpu threads steady_cpu/Mp steady_writer_ns
for r in $(seq 1 "$REPEATS"); do
for mode in $MODES; do
  if [ "$mode" = B ]; then rps 2; else rps 0; fi
  for size in $SIZES; do
    for tool in $TOOLS; do
      rm -rf $OUT/cap.pcap $OUT/capdir
      bg=$(quiet_gate)
      [ "$tool" != none ] && start_tool $tool
      before=$(rx)
      [ "$tool" != none ] && ticks_start=$(ticks $pid) && c2_start=$(thread_stat $pid "C2 CompilerThre" '$12+$13')
      perfpid=
      if [ -n "${PERF_OUT:-}" ] && [ "$tool" != none ]; then
        perf record -e cpu-clock -F 1999 -g -p $pid -o "$PERF_OUT.$r.$tool.$mode.$size" > /dev/null 2>&1 & perfpid=$!
      fi
      rm -f $OUT/steady; sampler=
      case ${tool%@base} in gulp*) steady_sampler & sampler=$! ;; esac
      sent=$(ip netns exec $GEN "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" gulp.bench.LiveSender $GIF $size $COUNT 0 $PPS ${SENDER_MODE:-})
      pps=$(echo "$sent" | sed -E 's/.*= ([0-9]+) pps.*/\1/')
      delivered=$(( $(rx) - before ))
      captured=-; loss=-; drops=-; cpu=-; rss=-; ready=-; rflt=-; cpuall=-; fcpu=-; threads=-; steady=-; swriter=-
      if [ "$tool" != none ]; then
        stop_tool
        [ -n "$sampler" ] && { kill $sampler 2>/dev/null || true; wait $sampler 2>/dev/null || true; }
        if [ -s $OUT/steady ]; then
          read -r srx sticks swticks < $OUT/steady
          steady=$(awk -v t=$((ticks_end - sticks)) -v hz=$HZ -v n=$((rx_end - srx)) 'BEGIN { printf "%.3f", (n > 0) ? t / hz / (n / 1e6) : 0 }')
          [ "$swticks" != - ] && [ "$wticks_end" != - ] && swriter=$(awk -v t=$((wticks_end - swticks)) -v hz=$HZ -v n=$((rx_end - srx)) 'BEGIN { printf "%.1f", (n > 0) ? t / hz * 1e9 / n : 0 }')
        fi
        captured=$(cap_packets)
        loss=$(awk -v d=$delivered -v c=$captured 'BEGIN { x = (d > 0) ? 100 * (d - c) / d : 0; printf "%.2f", x }')
        cpu=$(awk -v t=$((ticks_end - ticks_start)) -v hz=$HZ -v d=$delivered 'BEGIN { printf "%.3f", (d > 0) ? t / hz / (d / 1e6) : 0 }')
        cpuall=$(awk -v t=$ticks_end -v hz=$HZ 'BEGIN { printf "%.2f", t / hz }')
        [ "$fticks" != - ] && fcpu=$(awk -v t=$fticks -v hz=$HZ 'BEGIN { printf "%.2f", t / hz }')
        case ${tool%@base} in
          gulp*) drops=$(awk '/dropped by the kernel/ {k=$1} /ring full/ {f=$1} END {print k "k+" f "r"}' $OUT/tool.log)
                ready=$(grep -o 'ready [0-9.]* s' $OUT/tool.log | awk '{print $2}') ;;
          tcpdump|tcpdump-def) drops=$(awk '/dropped by kernel/ {print $1}' $OUT/tool.log) ;;
          dumpcap) drops=$(grep -Eo 'received/dropped on interface [^:]*: [0-9]+/[0-9]+' $OUT/tool.log | sed 's|.*/||') ;;
          netsniff|netsniff-256) drops=$(grep -Eo '[0-9]+ +packets (dropped|failed)' $OUT/tool.log | head -1 | awk '{print $1}') ;;
        esac
      fi
      printf "%-3s %-11s %-4s %5s %9s %9s %9s %7s %9s %7s %6s %4s %s %s %s %s %s %s %s\n" $r $tool $mode $size $pps $delivered $captured $loss $cpu $rss ${ready:--} $bg "${drops:--}" "$rflt" "$cpuall" "$fcpu" "${threads:--}" "$steady" "$swriter"
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" $r $tool $mode $size $pps $delivered $captured $loss $cpu $rss ${ready:--} $bg "${drops:--}" "$rflt" "$cpuall" "$fcpu" "${threads:--}" "$steady" "$swriter" >> "$ROWS"
      rm -rf $OUT/cap.pcap $OUT/capdir
    done
  done
done
done
rps 0

echo
echo "Medians (min-max) over the repeats:"
python3 "$here/bench/lib/medians.py" "$ROWS" "tool,mode,size" \
  "sent pps:4:k,loss %:7:2,CPU s per M pkts:8:3,peak RSS MiB:9:0,ready s:10:2,reader faults:13:0,CPU s with start-up:14:2,fault-in thread CPU s:15:2,steady CPU s per M pkts:17:3,steady writer ns/pkt:18:1" \
  "$(tool_labels)"
