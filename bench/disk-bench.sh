#!/usr/bin/env bash
# Disk-bound benchmark (issue 8): gulp as shipped, no tuning flags, writing to a real disk.
#
#   bench/disk-bench.sh [PART] [REPEATS] [COUNT] [PPS_LIST] [TOOLS] [MODES]
#   defaults: all 3 4000000 "0 300000" "gulp-o gulp-stdout netsniff tcpdump dumpcap" "A B"
#   PART: writer | live | all.  PPS 0 = the sender's top rate.
#   DISKDIR=DIR   where the output goes (default: a folder under /var/tmp); it must be a disk file
#                 system (not tmpfs), the one whose speed is measured.
#   WRITER_MB=N   size of the capture the writer part reads (default 4096), kept in /dev/shm
#                 so that reading it costs no disk time.
#   WRITER_PASSES=N  gulp reads that capture N times (--read BIG repeated, one output) and dd
#                 writes as many bytes: a longer run without a bigger file in /dev/shm (default 1;
#                 gulp-read, gulp-stdout and gulp-null only).
#   RESULTS=FILE  keeps the raw rows (tab-separated) there as well.
#
# (a) writer: `gulp --read BIG -o DIR` end to end, the default `--fsync file` included (each file
#     is fsynced before its rename), against `dd oflag=direct` and buffered `dd conv=fdatasync`
#     writing as many bytes in 1 MiB blocks on the same file system, in the same run, repeats as
#     the outer loop; the page cache is written back (`sync`) before each run. Rate = bytes / wall
#     time; gulp's share of dd direct is printed with the medians. gulp's time includes its JVM
#     start (about 0.3-0.5 s on a quiet machine), as a user sees it: against a 2 GB/s disk use a
#     WRITER_MB of 16384 or more so that start-up is a small share.
# (b) live: COUNT frames of 1500 B on the veth test bed (bench/lib/testbed.sh; sender pinned to
#     CPU 0) at each rate of PPS_LIST, in mode A (receive softirq on the sender's CPU) and mode B
#     (RPS moves it to CPU 1). gulp-o is `bin/gulp -i IF -o DIR`, gulp-stdout `bin/gulp -i IF >
#     DIR/cap.pcap`, both with no other option (gulp pins its own threads); netsniff-ng pinned
#     with -b 1, tcpdump -B 262144, dumpcap -B 256. Kept = records in all files of the run
#     (capinfos) / packets delivered to the capture veth. Peak RSS = VmHWM of the capturer.
# A quiet gate waits (at most GATE_WAIT s) before each run for the rest of the machine to be idle.
# Needs root, Java 25, tcpdump, dumpcap, netsniff-ng, capinfos, python3, dd.
set -euo pipefail
set -m
here="$(cd "$(dirname "$0")/.." && pwd)"
PART=${1:-all}
REPEATS=${2:-3}
COUNT=${3:-4000000}
PPS_LIST=${4:-"0 300000"}
TOOLS=${5:-"gulp-o gulp-stdout netsniff tcpdump dumpcap"}
MODES=${6:-"A B"}
WRITER_MB=${WRITER_MB:-4096}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
GULP="$here/bin/gulp"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
source "$here/bench/lib/testbed.sh"
testbed_up gdb
copy_classes
ROWS=${RESULTS:-$OUT/rows.tsv}
DISK=$(mktemp -d "${DISKDIR:-/var/tmp}/gulp-disk-bench.XXXXXX")
BIG=/dev/shm/gulp-disk-bench-$$.pcap
trap 'ip netns del $GEN 2>/dev/null || true; ip netns del $CAP 2>/dev/null || true; rm -rf "$OUT" "$DISK" "$BIG"' EXIT
case $(stat -f -c %T "$DISK") in
  tmpfs|ramfs) echo "disk-bench: $DISK is on $(stat -f -c %T "$DISK"); set DISKDIR to a disk file system" >&2; exit 2 ;;
esac
GATE_WAIT="${GATE_WAIT:-3}"
source "$here/bench/lib/quiet-gate.sh"
"$GULP" -v > /dev/null   # builds the jar and the AOT cache now, not inside a timed run

size_bytes() { # 1M, 2M, 4096K, 1048576 -> bytes
  case $1 in *[Mm]) echo $(( ${1%?} << 20 )) ;; *[Kk]) echo $(( ${1%?} << 10 )) ;; *) echo "$1" ;; esac
}
hwm_mib() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' /proc/$1/status 2>/dev/null || echo 0; }
now_ns() { date +%s%N; }
records_in() { # records in every pcap file under $1
  local n=0 f c
  for f in "$1"/*.pcap; do
    [ -e "$f" ] || continue
    c=$(capinfos -c -M "$f" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
    n=$((n + ${c:-0}))
  done
  echo $n
}
# Runs "$@" in the background, polls its VmHWM until it exits; prints "SECONDS RSS_MIB STATUS".
timed() {
  local start end rss=0 r status=0
  start=$(now_ns)
  "$@" & local p=$!
  while kill -0 $p 2>/dev/null; do r=$(hwm_mib $p); [ "${r:-0}" -gt "$rss" ] && rss=$r; sleep 0.05; done
  wait $p || status=$?
  end=$(now_ns)
  awk -v s=$start -v e=$end -v r=$rss -v st=$status 'BEGIN { printf "%.3f %d %d\n", (e - s) / 1e9, r, st }'
}

# Rows: rep tool mode pps bytes seconds MB/s delivered captured kept% rss bg% note (mode "disk" and
# pps 0 for the writer part).
[ -s "$ROWS" ] || printf "rep\ttool\tmode\tpps\tbytes\tseconds\tmb_per_s\tdelivered\tcaptured\tkept_pct\trss_mib\tbg_pct\tnote\n" > "$ROWS"
FMT="%-3s %-12s %-4s %7s %12s %8s %8s %9s %9s %7s %6s %4s %s\n"
row() { local IFS=$'\t'; echo "$*" >> "$ROWS"; printf "$FMT" "$@"; }
printf "$FMT" rep tool mode pps bytes seconds MB/s delivered captured kept% rss_MiB bg% note

# ---- (a) writer to disk ----
# WRITER_TOOLS picks the trials of each repeat, in this order (default: the four first):
#   dd-direct      dd bs=1M oflag=direct conv=fdatasync   (dd-direct-SIZE: bs=SIZE, e.g. dd-direct-2M, -4M, -16M)
#   dd-buffered    dd bs=1M conv=fdatasync
#   gulp-read      gulp -q --read BIG -o DIR               (as shipped: -C 10 files, --fsync file)
#   gulp-stdout    gulp -q --read BIG > DIR/cap.pcap, then sync of that file (O_DIRECT through stdout)
#   gulp-copy      gulp -c < BIG > DIR/cap.pcap, then sync of that file (-c: bytes unchanged, no records)
#   gulp-null      gulp -q --read BIG > /dev/null (the reader side alone: no disk)
#   Variants of gulp-read, gulp-stdout and gulp-copy, joined with ':' (several may follow each other):
#     :zSIZE       -z SIZE (the write size, e.g. :z1M, :z2M, :z4M)
#     :noindex     --no-index (no extraction index beside the files; -o only)
#     :onefile     -C 1000 (one file: no rotation, no per-file fsync, no staging copy; -o only)
#     :nofsync     --fsync never, then sync(1) (the finisher's per-file fsync taken out; -o only)
#   e.g. "dd-direct dd-direct-2M gulp-stdout:z1M gulp-stdout:z2M gulp-read:noindex gulp-read:nofsync".
#   The names of earlier runs stay accepted: gulp-onefile, gulp-nofsync, gulp-z4M.
# A tool name ending in @base runs the gulp of GULP_BASE (e.g. a copy of bin/ and target/ of an
# older build) instead, to compare two builds pair by pair in the same run; @NAME runs the gulp
# GULP_NAME names (upper case: gulp-read@p64 runs $GULP_P64), to compare more than two.
# WRITER_INPUT=FILE reads that capture instead of generating one (it is kept).
WRITER_TOOLS=${WRITER_TOOLS:-"dd-direct dd-buffered gulp-read gulp-stdout"}
writer_part() {
  local input=$BIG
  if [ -n "${WRITER_INPUT:-}" ]; then
    input=$WRITER_INPUT
  else
    "$JAVA" -cp "$CP" gulp.bench.PcapGenerator plain 1500 $((WRITER_MB << 20)) "$BIG" 2>/dev/null
  fi
  local passes=${WRITER_PASSES:-1} reads=() p
  for p in $(seq 1 "$passes"); do reads+=(--read "$input"); done
  local bytes; bytes=$(stat -c %s "$input")
  bytes=$(( passes * (bytes - 24) + 24 ))   # one 24-byte pcap file header in the output
  local blocks=$(( (bytes + (1 << 20) - 1) >> 20 ))
  for r in $(seq 1 "$REPEATS"); do
    for tool in $WRITER_TOOLS; do
      rm -rf "${DISK:?}"/*; sync
      local bg; bg=$(quiet_gate)
      local out note="" g=$GULP t=$tool
      case $tool in *@*) local var=GULP_${tool##*@}; var=${var^^}
                          g=${!var:?$var names the gulp of $tool}; t=${tool%@*} ;; esac
      case $t in gulp-onefile) t=gulp-read:onefile ;; gulp-nofsync) t=gulp-read:nofsync ;; gulp-z4M) t=gulp-read:z4M ;; esac
      local base=${t%%:*} extra=() v
      if [ "$base" != "$t" ]; then
        local IFS=:; for v in ${t#*:}; do
          case $v in
            z*) extra+=(-z "$(size_bytes "${v#z}")") ;;
            noindex) extra+=(--no-index) ;;
            onefile) extra+=(-C 1000) ;;
            nofsync) extra+=(--fsync never) ;;
            *) echo "disk-bench: unknown variant :$v of $tool" >&2; exit 2 ;;
          esac
        done; unset IFS
      fi
      case $base in
        dd-direct) out=$(timed dd if=/dev/zero of="$DISK/dd" bs=1M count=$blocks oflag=direct conv=fdatasync status=none) ;;
        dd-direct-*) local bs; bs=$(size_bytes "${base#dd-direct-}")
                   out=$(timed dd if=/dev/zero of="$DISK/dd" bs=$bs count=$(( (bytes + bs - 1) / bs )) oflag=direct conv=fdatasync status=none) ;;
        dd-buffered) out=$(timed dd if=/dev/zero of="$DISK/dd" bs=1M count=$blocks conv=fdatasync status=none) ;;
        gulp-read) mkdir "$DISK/o"
                   if [[ " ${extra[*]} " == *" --fsync never "* ]]; then
                     out=$(timed sh -c '"$@" && sync' sh "$g" -q "${reads[@]}" -o "$DISK/o" "${extra[@]}" 2>> "$OUT/writer.log")
                   else
                     out=$(timed "$g" -q "${reads[@]}" -o "$DISK/o" "${extra[@]}" 2>> "$OUT/writer.log")
                   fi
                   note="files=$(ls "$DISK/o" | grep -c '\.pcap$')" ;;
        gulp-stdout) out=$(timed sh -c 'g=$1 o=$2; shift 2; "$g" -q "$@" > "$o" && sync "$o"' sh "$g" "$DISK/cap.pcap" "${reads[@]}" "${extra[@]}" 2>> "$OUT/writer.log")
                   [ "$(stat -c %s "$DISK/cap.pcap")" = "$bytes" ] || note="size differs" ;;
        gulp-copy) out=$(timed sh -c 'g=$1 i=$2 o=$3; shift 3; "$g" -q -c "$@" < "$i" > "$o" && sync "$o"' sh "$g" "$input" "$DISK/cap.pcap" "${extra[@]}" 2>> "$OUT/writer.log")
                   [ "$(stat -c %s "$DISK/cap.pcap")" = "$bytes" ] || note="size differs" ;;
        gulp-null) out=$(timed sh -c 'g=$1; shift; "$g" -q "$@" > /dev/null' sh "$g" "${reads[@]}" 2>> "$OUT/writer.log") ;;
        *) echo "disk-bench: unknown writer tool $tool" >&2; exit 2 ;;
      esac
      set -- $out
      local mbs; mbs=$(awk -v b=$bytes -v s=$1 'BEGIN { printf "%.0f", b / s / 1e6 }')
      [ "$3" = 0 ] || note="$note exit=$3"
      row $r $tool disk 0 $bytes $1 $mbs - - - $2 $bg "${note:--}"
    done
  done
  rm -f "$BIG"
}

# ---- (b) sustained, disk-bound live capture ----
# Live gulp variants (for sizing studies, not the shipped comparison): gulp-o:rN and
# gulp-stdout:rN add -r N (MiB), :BN adds -B N, :rcN --reader-cpu N, :wcN --writer-cpu N, :stats --stats-json STATS_DIR/stats-HHMMSS.jsonl
# (its figures twice a second: when the drops happened); a name ending in @base runs GULP_BASE's gulp.
start_tool() {
  local tool=$1 log=$OUT/tool.log g=$GULP extra=() v
  : > "$log"
  case $tool in *@base) g=${GULP_BASE:?GULP_BASE names the build to compare with}; tool=${tool%@base} ;; esac
  if [ "${tool%%:*}" != "$tool" ]; then
    local IFS=:; for v in ${tool#*:}; do
      case $v in
        rc*) extra+=(--reader-cpu "${v#rc}") ;;
        wc*) extra+=(--writer-cpu "${v#wc}") ;;
        r*) extra+=(-r "${v#r}") ;;
        B*) extra+=(-B "${v#B}") ;;
        stats) extra+=(--stats-json "${STATS_DIR:-/tmp}/stats-$(date +%H%M%S).jsonl") ;;
        *) echo "disk-bench: unknown variant :$v of $tool" >&2; exit 2 ;;
      esac
    done; unset IFS
    tool=${tool%%:*}
  fi
  case $tool in
    gulp-o) mkdir -p "$DISK/o"; ip netns exec $CAP "$g" -i $CIF -o "$DISK/o" "${extra[@]}" 2> "$log" & ready="listening on" ;;
    gulp-stdout) ip netns exec $CAP "$g" -i $CIF "${extra[@]}" > "$DISK/cap.pcap" 2> "$log" & ready="listening on" ;;
    tcpdump) ip netns exec $CAP tcpdump -i $CIF -n -B 262144 -w "$DISK/cap.pcap" 2> "$log" & ready="listening on" ;;
    dumpcap) ip netns exec $CAP dumpcap -i $CIF -B 256 -P -w "$DISK/cap.pcap" 2> "$log" & ready="Capturing on" ;;
    netsniff) ip netns exec $CAP netsniff-ng --in $CIF --out "$DISK/cap.pcap" -s -T 0xa1b2c3d4 -b 1 \
            > "$log" 2>&1 & ready="Running" ;;
  esac
  pid=$!   # ip netns exec and bin/gulp exec the tool, so this is the capturer itself
  for _ in $(seq 1 600); do grep -q "$ready" "$log" 2>/dev/null && break; sleep 0.05; done
  sleep 1
}

# Waits until the output stops growing for 1 s (at most 120 s), reads the RSS, then SIGINT.
stop_tool() {
  local last=-1 stable=0 size
  for _ in $(seq 1 600); do
    size=$(du -sb "$DISK" 2>/dev/null | awk '{print $1}')
    if [ "$size" = "$last" ]; then stable=$((stable+1)); else stable=0; last=$size; fi
    [ $stable -ge 5 ] && break
    sleep 0.2
  done
  rss=$(hwm_mib $pid)
  kill -INT $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
}

live_part() {
  for r in $(seq 1 "$REPEATS"); do
  for mode in $MODES; do
    if [ "$mode" = B ]; then rps 2; else rps 0; fi
    for pps in $PPS_LIST; do
      for tool in $TOOLS; do
        case $tool in gulp-*) ;; *) command -v ${tool/netsniff/netsniff-ng} > /dev/null || {
          row $r $tool $mode $pps - - - - - - - - "not installed"; continue; } ;; esac
        rm -rf "${DISK:?}"/*; sync
        local bg; bg=$(quiet_gate)
        start_tool $tool
        local before; before=$(rx)
        local t0; t0=$(now_ns)
        local sent; sent=$(ip netns exec $GEN "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP" gulp.bench.LiveSender $GIF 1500 $COUNT 0 $pps)
        local spps; spps=$(echo "$sent" | sed -E 's/.*= ([0-9]+) pps.*/\1/')
        local delivered=$(( $(rx) - before ))
        stop_tool
        local t1; t1=$(now_ns)
        local captured dir="$DISK"
        case $tool in gulp-o*) dir="$DISK/o" ;; esac
        captured=$(records_in "$dir")
        local kept; kept=$(awk -v d=$delivered -v c=$captured 'BEGIN { printf "%.2f", (d > 0) ? 100 * c / d : 0 }')
        local bytes; bytes=$(du -sb "$dir" | awk '{print $1}')
        local secs; secs=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
        local note="sent_pps=$spps"
        case $tool in
          gulp-*) note="$note $(awk '/dropped by the kernel/ {k=$1} /ring full/ {f=$1} /ring buffer peak use/ {p=$5} END {print "drops=" k "k+" f "r peak=" p}' $OUT/tool.log)" ;;
          tcpdump) note="$note drops=$(awk '/dropped by kernel/ {print $1}' $OUT/tool.log)" ;;
        esac
        row $r $tool $mode $pps $bytes $secs - $delivered $captured $kept $rss $bg "$note"
      done
    done
  done
  done
  rps 0
}

case $PART in
  writer) writer_part ;;
  live) live_part ;;
  all) writer_part; live_part ;;
  *) echo "disk-bench: PART is writer, live or all" >&2; exit 2 ;;
esac

echo
echo "Medians (min-max) over the repeats:"
python3 "$here/bench/lib/medians.py" "$ROWS" "tool,mode,pps" \
  "seconds:5:2,MB/s:6:0,kept %:9:2,peak RSS MiB:10:0"
if [ "$PART" != live ]; then
  awk -F'\t' 'NR > 1 && $3 == "disk" { v[$2] = v[$2] " " $7 }
    function med(s,  a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
    END { if (v["dd-direct"] == "") exit
      for (t in v) if (t ~ /^gulp-/ && t != "gulp-null") {
        line = sprintf("%s: %.0f %% of dd oflag=direct bs=1M", t, 100 * med(v[t]) / med(v["dd-direct"]))
        if (match(t, /:z[0-9]+[KkMm]?/)) { same = "dd-direct-" substr(t, RSTART + 2, RLENGTH - 2)
          if (v[same] == "" && same ~ /-(1M|1024K|1048576)$/) same = "dd-direct"
          if (v[same] != "") line = line sprintf(", %.0f %% of dd at the same block size", 100 * med(v[t]) / med(v[same])) }
        print line " (medians)" } }' "$ROWS"
fi
