#!/usr/bin/env bash
# CPU per thread of one `gulp -q --read IN -o DIR [ARGS]` run (DIR on tmpfs), in clock ticks
# (1/100 s): where the extraction index's cost goes (the writer's loop, the JIT, the gulp-index
# thread). /proc/PID/task/*/stat is sampled every 0.1 s; a thread's last sample counts.
#
#   bench/index-threads.sh IN JAR [ARGS...]     e.g. ... /dev/shm/b64.pcap target/gulp.jar --no-index
set -euo pipefail
in=$1 jar=$2
shift 2
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
d=$(mktemp -d /dev/shm/index-threads.XXXX)
samples=$(mktemp)
trap 'rm -rf "$d" "$samples"' EXIT
"$JAVA" --enable-native-access=ALL-UNNAMED -Xms64m -Xmx512m -XX:MaxDirectMemorySize=1t -XX:+UseSerialGC -XX:-UsePerfData \
  -jar "$jar" -q --read "$in" -o "$d" "$@" >/dev/null 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  for t in /proc/"$pid"/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) || continue
    c=$(tr ' ' '_' < "$t/comm" 2>/dev/null) || continue
    f=(${s##*) })
    echo "${t##*/} $c $((f[11] + f[12]))" >> "$samples"
  done
  sleep 0.1
done
awk '{if ($3 > m[$1]) {m[$1] = $3; n[$1] = $2}} END {for (k in m) a[n[k]] += m[k]; for (k in a) if (a[k] > 0) print a[k], k}' "$samples" | sort -rn
