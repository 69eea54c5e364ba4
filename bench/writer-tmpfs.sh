#!/usr/bin/env bash
# gulp's own cost of writing, without a disk: `gulp -q --read BIG -o DIR` and `> file` into a
# tmpfs (O_DIRECT works there since Linux 6.6), one build against another, pair by pair; prints
# wall time, MB/s and CPU seconds (user + system) of each trial (BENCHMARKS.md §3.2, §4).
#
#   bench/writer-tmpfs.sh BIG.pcap OLD_CHECKOUT NEW_CHECKOUT [REPEATS]
#   (a checkout: a directory with bin/gulp and its target/gulp.jar, e.g. a copy of bin/ and target/)
set -u
BIG=$1; OLD=$2; NEW=$3; REPS=${4:-3}
D=$(mktemp -d /dev/shm/gulp-writer-tmpfs.XXXXXX); trap 'rm -rf "$D"' EXIT
bytes=$(stat -c %s "$BIG")
for r in $(seq 1 "$REPS"); do
  for b in "$OLD" "$NEW"; do
    for kind in o stdout; do
      rm -rf "${D:?}"/*; mkdir "$D/o"
      s=$(date +%s%N)
      if [ $kind = o ]; then /usr/bin/time -o "$D/t" -f "%U %S" "$b/bin/gulp" -q --read "$BIG" -o "$D/o" 2>/dev/null
      else /usr/bin/time -o "$D/t" -f "%U %S" "$b/bin/gulp" -q --read "$BIG" > "$D/cap.pcap" 2>/dev/null; fi
      e=$(date +%s%N)
      read -r u sy < "$D/t"
      awk -v r=$r -v b="$b" -v k=$kind -v s=$s -v e=$e -v n=$bytes -v u=$u -v sy=$sy 'BEGIN {
        printf "%d %-30s %-6s %6.2f s %5.0f MB/s  cpu %5.2f s (user %.2f, sys %.2f)\n", r, b, k, (e-s)/1e9, n/((e-s)/1e9)/1e6, u+sy, u, sy }'
    done
  done
done
