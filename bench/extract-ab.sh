#!/usr/bin/env bash
# One-minute window of a directory from bench/extract-gen.sh, two builds interleaved, cold (page
# cache dropped, root) and warm, output to a file on the same disk as DIR; medians per build.
# usage: bench/extract-ab.sh DIR OLD_GULP_DIR NEW_GULP_DIR [REPEATS (3)] [FROM epoch s]
set -euo pipefail
dir="$1"; old="$2"; new="$3"; repeats="${4:-3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
span=$("$new/bin/gulp" extract "$dir" --list 2>/dev/null | awk '{print $2; print $3}' | sort | sed -n '1p;$p')
first=$(date -d "$(echo "$span" | head -1)" +%s); last=$(date -d "$(echo "$span" | tail -1)" +%s)
from="${5:-$(( (first + last) / 2 ))}"; to=$(( from + ${WINDOW:-60} ))
out="$dir/../extract-ab.$$.pcap"; trap 'rm -f "$out"' EXIT
printf 'repeat\tbuild\tcache\tsize\tseconds\n' > /tmp/extract-ab.rows
for r in $(seq "$repeats"); do
  for cache in cold warm; do
    for b in old new; do
      g=$old; [ $b = new ] && g=$new
      [ $cache = cold ] && { sync; echo 3 > /proc/sys/vm/drop_caches; }
      s=$(date +%s.%N); "$g/bin/gulp" extract "$dir" --from "$from" --to "$to" -q > "$out" 2>/dev/null; e=$(date +%s.%N)
      printf '%s\t%s\t%s\t0\t%s\n' "$r" "$b" "$cache" "$(echo "$e - $s" | bc)" >> /tmp/extract-ab.rows
      sha256sum < "$out" | cut -c1-16 > "/tmp/extract-ab.$b"
    done
    cmp -s /tmp/extract-ab.old /tmp/extract-ab.new || { echo "outputs DIFFER" >&2; exit 1; }
  done
done
echo "window $from to $to: $(stat -c %s "$out") bytes, outputs identical" >&2
python3 "$here/bench/lib/medians.py" /tmp/extract-ab.rows "build,cache,size" "seconds:4:3"
