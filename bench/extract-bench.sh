#!/usr/bin/env bash
# gulp extract against mergecap + editcap -A -B + tcpdump -r on a directory from bench/extract-gen.sh:
# a one-minute window in the middle of the directory's time span, and `host 192.0.2.77` over the
# whole directory. Each run starts from a cold page cache (echo 3 > /proc/sys/vm/drop_caches, root);
# the outputs are compared record for record (their bodies after the 24-byte file header).
#
# usage: [WINDOW=SECONDS] [SLOW_REPEATS=N] bench/extract-bench.sh DIR [REPEATS (default 3)]
#   (the window and both outputs go to a temp dir: mind its free space). The slow pipeline reads the
#   whole directory (about 4 min for 50 GB on a quiet 2-CPU machine, 14 min under load); SLOW_REPEATS
#   runs it only in the first N repeats (default: every repeat), gulp runs in every repeat.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:?usage: extract-bench.sh DIR [REPEATS]}"
repeats="${2:-3}"
gulp="$here/bin/gulp"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for t in mergecap editcap tcpdump; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }; done

cold() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || echo "warning: cannot drop caches (not root?)" >&2; }
now() { date +%s.%N; }
body() { tail -c +25 "$1" | sha256sum | cut -d' ' -f1; }
files=$(LC_ALL=C ls "$dir" | grep '\.pcap$' | sed "s|^|$dir/|")

# The directory's span from gulp's list (smallest and largest timestamps of all files).
span=$("$gulp" extract "$dir" --list 2>/dev/null | awk '{print $2; print $3}' | sort | sed -n '1p;$p')
first=$(date -d "$(echo "$span" | head -1)" +%s); last=$(date -d "$(echo "$span" | tail -1)" +%s)
from=$(( (first + last) / 2 )); to=$(( from + ${WINDOW:-60} ))  # WINDOW seconds (default 60)
echo "directory: $(echo "$files" | wc -l) files, $(du -sh "$dir" | cut -f1); window $from to $to" >&2

printf 'repeat\ttool\tquery\tsize\tseconds\n' > "$work/rows"
for r in $(seq "$repeats"); do
  cold; s=$(now); "$gulp" extract "$dir" --from "$from" --to "$to" -q > "$work/g-window.pcap" 2>/dev/null; e=$(now)
  printf '%s\tgulp\twindow\t0\t%s\n' "$r" "$(echo "$e - $s" | bc)" >> "$work/rows"
  if [ "$r" -le "${SLOW_REPEATS:-$repeats}" ]; then
  cold; s=$(now)
  # streamed: the merge of a 50 GB directory is never written out (editcap reads "-" as stdin)
  mergecap -F nsecpcap -w - $files | editcap -F nsecpcap -A "$from" -B "$to" - "$work/s-window.pcap"
  e=$(now); printf '%s\tmergecap+editcap\twindow\t0\t%s\n' "$r" "$(echo "$e - $s" | bc)" >> "$work/rows"
  [ "$(body "$work/g-window.pcap")" = "$(body "$work/s-window.pcap")" ] || { echo "window outputs DIFFER" >&2; exit 1; }
  fi

  cold; s=$(now); "$gulp" extract "$dir" -f 'host 192.0.2.77' -q > "$work/g-host.pcap" 2>"$work/g-host.err"; e=$(now)
  printf '%s\tgulp\thost\t0\t%s\n' "$r" "$(echo "$e - $s" | bc)" >> "$work/rows"
  if [ "$r" -le "${SLOW_REPEATS:-$repeats}" ]; then
  cold; s=$(now)
  mergecap -F nsecpcap -w - $files | tcpdump --time-stamp-precision=nano -r - -w "$work/s-host.pcap" 'host 192.0.2.77' 2>/dev/null
  e=$(now); printf '%s\tmergecap+tcpdump\thost\t0\t%s\n' "$r" "$(echo "$e - $s" | bc)" >> "$work/rows"
  [ "$(body "$work/g-host.pcap")" = "$(body "$work/s-host.pcap")" ] || { echo "host outputs DIFFER" >&2; exit 1; }
  fi
done
grep -h 'files read\|files skipped' "$work/g-host.err" >&2 || true
echo "outputs identical (window: $(($(stat -c %s "$work/g-window.pcap") - 24)) bytes; host: $(($(stat -c %s "$work/g-host.pcap") - 24)) bytes)" >&2
python3 "$here/bench/lib/medians.py" "$work/rows" "tool,query,size" "seconds:4:3"
