#!/usr/bin/env bash
# Does this disk write faster with more than one O_DIRECT write in flight? (issue 8, "Writer to disk")
#
#   bench/direct-qd.sh [REPEATS] [TOTAL_MIB] [PATTERNS]
#   defaults: 4 4096 "seq:1024 seq:4096 pipe:4096:2:0 pipe:2048:2:16 pipe:4096:2:64 split:4096:2:16"
#   DISKDIR=DIR  the file system measured (default /var/tmp; not tmpfs)
#
# Each pattern writes TOTAL_MIB into one new file with O_DIRECT, open to fdatasync (bench/lib/direct-qd.c):
#   seq:BLOCK_KIB                 one write at a time, as dd oflag=direct bs=BLOCK (seq:1024 is dd's 1M)
#   pipe:BLOCK_KIB:N:WIN_MIB      N writes always in flight, the file's size kept ahead by fallocate
#                                 in WIN_MIB steps (WIN 0: none, so ext4 serialises the growing writes)
#   split:BLOCK_KIB:N:WIN_MIB     each block as N concurrent writes awaited together (lockstep)
# Repeats are the outer loop (this VM's disk changes speed from minute to minute); prints each run,
# then per pattern the median MB/s and the median of its per-repeat ratio to the first pattern.
# Run it inside `flock /tmp/bench-disk.lock` when others measure the disk. Needs cc.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
REPEATS=${1:-4}
TOTAL=${2:-4096}
PATTERNS=${3:-"seq:1024 seq:4096 pipe:4096:2:0 pipe:2048:2:16 pipe:4096:2:64 split:4096:2:16"}
work=$(mktemp -d "${DISKDIR:-/var/tmp}/gulp-direct-qd.XXXXXX")
trap 'rm -rf "$work"' EXIT
case $(stat -f -c %T "$work") in
  tmpfs|ramfs) echo "direct-qd: $work is on $(stat -f -c %T "$work"); set DISKDIR to a disk file system" >&2; exit 2 ;;
esac
cc -O2 -pthread -o "$work/direct-qd" "$here/bench/lib/direct-qd.c"
for r in $(seq 1 "$REPEATS"); do
  for p in $PATTERNS; do
    rm -f "$work/out"; sync; sleep 0.5
    IFS=: read -r mode blk n w <<< "$p"
    echo "$r $p $("$work/direct-qd" "$work/out" "$TOTAL" "$mode" "$blk" ${n:-} ${w:-} | cut -d' ' -f2-)"
  done
done | tee "$work/rows"
echo "pattern  median_MB/s  median_ratio_to_${PATTERNS%% *}"
awk -v first="${PATTERNS%% *}" '
  { mbs[$2] = mbs[$2] " " $4; if ($2 == first) base[$1] = $4; rat[$2] = rat[$2] " " ($4 / base[$1]); order[$2] = order[$2] ? order[$2] : ++n; name[n] = $2 }
  function median(list,   a, k, i, j, t) { k = split(list, a, " "); for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
  END { for (i = 1; i <= n; i++) printf "%-18s %6.0f  %5.2f\n", name[i], median(mbs[name[i]]), median(rat[name[i]]) }' "$work/rows"
