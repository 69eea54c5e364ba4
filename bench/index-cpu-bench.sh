#!/usr/bin/env bash
# The writer-side index's CPU cost (issue 13: under 5 % per packet at 64 B): whole-process CPU
# (user + sys) of `gulp -q --read IN -o DIR` with the index and with --no-index, for one or two
# builds, alternating in the same session (repeats are the outer loop; odd repeats run the cases
# in one order, even ones reversed), DIR on tmpfs.
#
#   bench/index-cpu-bench.sh IN REPEATS JAR [JAR2]
#   IN    e.g. made by: java -cp target/classes:target/test-classes gulp.bench.PcapGenerator plain 64 800000000 /dev/shm/b64.pcap
#         (one flow; `flows` instead of `plain`: many hosts, where the summary costs; bench/index-bench.sh runs both)
#   JAR   a gulp.jar (target/gulp.jar of a build; an older build: git archive COMMIT | tar -x -C DIR, mvn -DskipTests package)
#
# Prints one line per run (build, case, user+sys seconds) and, per build, the median of each case
# and the ratio index/no-index of the medians.
#
# STEADY=N (e.g. 3): each case is also run with IN read N times (--read repeated) and the figure
# is the CPU per extra packet, (CPU xN - CPU x1) / ((N - 1) x PACKETS) in ns (PACKETS=, default
# 10000000): JVM start and the JIT's compilations, a fixed cost per run (the index's add about
# 0.3-0.5 s of C2 time to a 10 M-packet run), cancel out, leaving the per-packet cost the budget is about.
set -euo pipefail
in=$1 repeats=$2
shift 2
jars=("$@")
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/bin/lib/jvm-flags.sh"   # GULP_JVM_FLAGS: the flags bin/gulp and the package run with
flags=("${GULP_JVM_FLAGS[@]}")
results=$(mktemp)
cases=()
for j in "${!jars[@]}"; do cases+=("$j index" "$j noindex"); done
for r in $(seq "$repeats"); do
  order=("${cases[@]}")
  if [ $((r % 2)) = 0 ]; then
    order=(); for ((i=${#cases[@]}-1; i>=0; i--)); do order+=("${cases[$i]}"); done
  fi
  for c in "${order[@]}"; do
    set -- $c
    d=$(mktemp -d /dev/shm/index-bench.XXXX)
    extra=(); [ "$2" = noindex ] && extra=(--no-index)
    run() { # reads: CPU seconds of one run reading IN that many times
      local reads=() t
      for ((k = 0; k < $1; k++)); do reads+=(--read "$in"); done
      /usr/bin/time -o "$d.time" -f "%U %S" "$JAVA" "${flags[@]}" -jar "${jars[$b]}" -q "${reads[@]}" -o "$d" "${extra[@]}" >/dev/null 2>&1
      t=$(tail -1 "$d.time")
      rm -rf "$d"/* "$d.time"
      echo "$t" | awk '{printf "%.2f", $1 + $2}'
    }
    b=$1
    cpu=$(run 1)
    if [ -n "${STEADY:-}" ]; then
      many=$(run "$STEADY")
      cpu=$(awk -v a="$cpu" -v m="$many" -v n="$STEADY" -v p="${PACKETS:-10000000}" 'BEGIN {printf "%.1f", (m - a) * 1e9 / ((n - 1) * p)}')
      echo "build$1 $2 $cpu ns per extra packet (x$STEADY $many s)" | tee -a "$results"
    else
      echo "build$1 $2 $cpu" | tee -a "$results"
    fi
    rm -rf "$d"
  done
done
for j in "${!jars[@]}"; do
  med() { grep "^build$j $1 " "$results" | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
  i=$(med index) n=$(med noindex)
  echo "build$j (${jars[$j]}): median index $i s, no-index $n s, ratio $(awk -v i="$i" -v n="$n" 'BEGIN {printf "%.2f", i / n}')"
done
rm -f "$results"
