#!/usr/bin/env bash
# End-to-end throughput and peak memory of gulp reading a pcap through a pipe, against cat and
# tcpdump measured in the same run (see docs/bench.md for how to read the output).
#
#   bench/pipe-bench.sh [pipe|decap|blocksize|all]      (default: all)
#
# Environment (all optional):
#   REPEATS=3            repeats; the OUTER loop, so slow drift hits every tool alike
#   FILE_BYTES=2147483648  size of each generated pcap
#   SIZES="64 300 1500"  frame sizes for 'pipe'
#   DECAP_SIZES="300 1500" outer frame sizes for 'decap' (ERSPAN II / ERSPAN III / VXLAN in turn)
#   DECAP_READS=4        'decap' reads each file this many times in one run (--read f --read f ...),
#                        so that a run lasts several times gulp's startup
#   BLOCK_SIZES="65536 262144 1048576 4194304 16777216"  -z values for 'blocksize'
#   BENCH_DIR=<dir>      where the pcaps and output files go (default: a new temp dir on the
#                        disk of the project, removed at the end unless KEEP=1); reuse a
#                        BENCH_DIR to skip generating the files again
#   GATE_PCT=20 GATE_WAIT=15  quiet gate: wait up to GATE_WAIT s until the rest of the machine
#                        uses under GATE_PCT % of all CPUs (measured over 1 s); logged as bg%
#
# Cells of 'pipe': SIZE/pipe>null 'cat f | TOOL > /dev/null', SIZE/pipe>file 'cat f | TOOL > out',
# SIZE/file>null 'TOOL < f > /dev/null'; TOOL = cat, gulp -i -, tcpdump -r - -w -. 'startup' is
# gulp on a header-only pcap: its time is subtracted for the "net of startup" column.
#
# Output: one line per trial on stderr while running, then a summary table per scenario on
# stdout: median (min-max) of MB/s (10^6 bytes of input per second), records/s, peak RSS, and
# ratios of medians against the peers. Raw trials are kept in $BENCH_DIR/trials.tsv.
set -euo pipefail

here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
what="${1:-all}"
case "$what" in pipe|decap|blocksize|all) ;; *) echo "usage: $0 [pipe|decap|blocksize|all]" >&2; exit 2 ;; esac

REPEATS="${REPEATS:-3}"
FILE_BYTES="${FILE_BYTES:-2147483648}"
SIZES="${SIZES:-64 300 1500}"
DECAP_SIZES="${DECAP_SIZES:-300 1500}"
DECAP_READS="${DECAP_READS:-4}"
BLOCK_SIZES="${BLOCK_SIZES:-65536 262144 1048576 4194304 16777216}"

source "$here/bin/lib/find-java.sh"
export JAVA_HOME="$JAVA_HOME_25"
GULP="$here/bin/gulp"

for tool in tcpdump python3; do
  command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 1; }
done
if [ ! -x /usr/bin/time ]; then
  echo "$0: installing GNU time for peak-RSS measurement" >&2
  apt-get install -y time >/dev/null
fi

# Build the jar (bin/gulp does it on first use) and the generator.
"$GULP" --version >/dev/null 2>&1 || { echo "$0: gulp does not start" >&2; exit 1; }
(cd "$here" && mvn -q -B test-compile >&2)

if [ -z "${BENCH_DIR:-}" ]; then
  BENCH_DIR="$(mktemp -d "$here/target/pipe-bench.XXXXXX")"
  [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$BENCH_DIR"' EXIT
fi
mkdir -p "$BENCH_DIR"
TRIALS="$BENCH_DIR/trials.tsv"
: > "$TRIALS"
OUT="$BENCH_DIR/out.pcap"

generate() { # kind frameBytes -> path (generated once per BENCH_DIR)
  local file="$BENCH_DIR/$1-$2.pcap"
  if [ ! -s "$file" ] || [ "$(stat -c %s "$file")" -lt "$FILE_BYTES" ]; then
    "$JAVA" -cp "$here/target/test-classes:$here/target/classes" gulp.bench.PcapGenerator "$1" "$2" "$FILE_BYTES" "$file" >&2
  fi
  echo "$file"
}

records_in() { # path -> number of records (every record of a generated file has the same size)
  local frame="${1##*-}"; frame="${frame%.pcap}"
  echo $(( ($(stat -c %s "$1") - 24) / (16 + frame) ))
}

source "$here/bench/lib/quiet-gate.sh"

# trial SCENARIO CELL TOOL REPEAT INPUT RECORDS COMMAND [TIMES]: runs COMMAND (a bash command line) once,
# after the quiet gate (COMMAND reads INPUT TIMES times, default 1), and appends: scenario cell tool repeat seconds MB/s records/s peakRSS_KiB bg%.
trial() {
  local scenario="$1" cell="$2" tool="$3" repeat="$4" input="$5" records="$6" command="$7" times="${8:-1}"
  rm -f "$OUT"; sync
  local bg; bg="$(quiet_gate)"
  local t0 t1 rss status=0
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$BENCH_DIR/time.out" bash -c "$command" 2>"$BENCH_DIR/stderr.out" || status=$?
  t1=$(date +%s%N)
  if [ "$status" -ne 0 ]; then
    echo "$0: '$command' failed ($status):" >&2; tail -5 "$BENCH_DIR/stderr.out" >&2; exit 1
  fi
  rss="$(tail -1 "$BENCH_DIR/time.out")"
  local bytes; bytes=$(( $(stat -c %s "$input") * times ))
  local line
  line="$(awk -v s="$scenario" -v c="$cell" -v t="$tool" -v r="$repeat" -v ns=$((t1 - t0)) -v b="$bytes" \
      -v n="$records" -v rss="$rss" -v bg="$bg" \
      'BEGIN { sec = ns / 1e9; printf "%s\t%s\t%s\t%d\t%.3f\t%.1f\t%.0f\t%d\t%d\n", s, c, t, r, sec, b / sec / 1e6, n / sec, rss, bg }')"
  echo "$line" >> "$TRIALS"
  echo "$line" | awk -F'\t' '{ printf "  %-9s %-12s %-26s rep %d: %7.3f s %8.1f MB/s %11.0f rec/s  RSS %7.1f MiB  bg %d%%\n", $1, $2, $3, $4, $5, $6, $7, $8 / 1024, $9 }' >&2
  rm -f "$OUT"
}

# summary SCENARIO BASELINE...: median (min-max) per cell and tool, and ratios of medians of
# every tool against each baseline tool of the same cell.
summary() {
  local scenario="$1"; shift
  echo
  echo "== $scenario: median (min-max) over $REPEATS repeats; $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -F'\t' -v s="$scenario" -v baselines="$*" '
    function median(list,   n, a, i, j, t) {
      n = split(list, a, " ")
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
      lo = a[1]; hi = a[n]
      return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    $1 == s && $2 == "startup" { startup[$4] = $5 }
    $1 == s {
      key = $2 SUBSEP $3
      # gulp net of its fixed cost (JVM start, ring allocation): the startup time of the same repeat subtracted.
      if ($3 ~ /^gulp/ && $2 != "startup" && ($4 in startup) && $5 > startup[$4])
        net[key] = net[key] " " ($6 * $5) / ($5 - startup[$4])
      if (!(key in seen)) { seen[key] = 1; order[++count] = key }
      mbs[key] = mbs[key] " " $6; rps[key] = rps[key] " " $7; rss[key] = rss[key] " " $8; bg[key] = bg[key] " " $9
    }
    END {
      printf "%-14s %-18s %22s %26s %20s %8s %24s\n", "cell", "tool", "MB/s", "records/s", "peak RSS MiB", "bg% max", "MB/s net of startup"
      for (i = 1; i <= count; i++) {
        key = order[i]; split(key, parts, SUBSEP)
        m = median(mbs[key]); mlo = lo; mhi = hi; med[key] = m
        r = median(rps[key]); rlo = lo; rhi = hi
        x = median(rss[key]); xlo = lo; xhi = hi
        median(bg[key]); bgmax = hi
        netText = ""
        if (key in net) { nm = median(net[key]); netText = sprintf("%7.0f (%5.0f-%5.0f)", nm, lo, hi); netMed[key] = nm }
        printf "%-14s %-18s %7.0f (%5.0f-%5.0f) %8.2fM (%5.2f-%5.2fM) %6.0f (%4.0f-%4.0f) %8d %24s\n", parts[1], parts[2],
            m, mlo, mhi, r / 1e6, rlo / 1e6, rhi / 1e6, x / 1024, xlo / 1024, xhi / 1024, bgmax, netText
      }
      nb = split(baselines, base, " ")
      for (i = 1; i <= count; i++) {
        key = order[i]; split(key, parts, SUBSEP)
        for (j = 1; j <= nb; j++) {
          bkey = parts[1] SUBSEP base[j]
          if (parts[2] != base[j] && (bkey in med) && med[bkey] > 0) {
            printf "ratio %-14s %-18s / %-18s = %.2f", parts[1], parts[2], base[j], med[key] / med[bkey]
            if ((key in netMed) && (bkey in netMed)) printf "   (both net of startup: %.2f)", netMed[key] / netMed[bkey]
            else if (key in netMed) printf "   (gulp net of startup: %.2f)", netMed[key] / med[bkey]
            printf "\n"
          }
        }
      }
    }' "$TRIALS"
}

# Fixed cost of a gulp run (JVM start, ring allocation, exit): a pcap with a header only.
EMPTY="$BENCH_DIR/empty-0.pcap"
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\x00\x00\x04\x00\x01\0\0\0' > "$EMPTY"

run_pipe() {
  local size file n
  for size in $SIZES; do generate plain "$size" >/dev/null; done
  # Cells: SIZE/pipe>null  'cat f | TOOL > /dev/null'  (every tool reads a pipe, as from a live feed)
  #        SIZE/pipe>file  'cat f | TOOL > out.pcap'    (the output on the same disk as the input)
  #        SIZE/file>null  'TOOL < f > /dev/null'       (no pipe: the tool's own per-record cost shows)
  echo "pipe: cat, gulp and tcpdump, interleaved, repeats outermost" >&2
  for repeat in $(seq 1 "$REPEATS"); do
    trial pipe startup gulp-empty "$repeat" "$EMPTY" 0 "cat '$EMPTY' | '$GULP' -q -i - > /dev/null"
    for size in $SIZES; do
      file="$BENCH_DIR/plain-$size.pcap"; n="$(records_in "$file")"
      trial pipe "$size/pipe>null" cat "$repeat" "$file" "$n" "cat '$file' | cat > /dev/null"
      trial pipe "$size/pipe>null" gulp "$repeat" "$file" "$n" "cat '$file' | '$GULP' -q -i - > /dev/null"
      trial pipe "$size/pipe>null" tcpdump "$repeat" "$file" "$n" "cat '$file' | tcpdump -r - -w - 2>/dev/null > /dev/null"
      if [ "$size" = 1500 ]; then
        trial pipe "$size/pipe>null" "gulp -r 1000" "$repeat" "$file" "$n" "cat '$file' | '$GULP' -q -r 1000 -i - > /dev/null"
      fi
      trial pipe "$size/pipe>file" cat "$repeat" "$file" "$n" "cat '$file' | cat > '$OUT'"
      trial pipe "$size/pipe>file" gulp "$repeat" "$file" "$n" "cat '$file' | '$GULP' -q -i - > '$OUT'"
      trial pipe "$size/pipe>file" tcpdump "$repeat" "$file" "$n" "cat '$file' | tcpdump -r - -w '$OUT' 2>/dev/null"
      trial pipe "$size/file>null" cat "$repeat" "$file" "$n" "cat < '$file' > /dev/null"
      trial pipe "$size/file>null" gulp "$repeat" "$file" "$n" "'$GULP' -q -i - < '$file' > /dev/null"
      trial pipe "$size/file>null" tcpdump "$repeat" "$file" "$n" "tcpdump -r - -w - < '$file' 2>/dev/null > /dev/null"
    done
  done
  summary pipe cat tcpdump
}

run_decap() {
  local size file n
  for size in $DECAP_SIZES; do generate erspan "$size" >/dev/null; done
  # Input from the files, not through cat: the pipe would hide the per-packet cost.
  local reads
  echo "decap: 'gulp [-d] --read f (x$DECAP_READS) > /dev/null' on ERSPAN II / ERSPAN III / VXLAN in turn" >&2
  for repeat in $(seq 1 "$REPEATS"); do
    trial decap startup gulp-empty "$repeat" "$EMPTY" 0 "'$GULP' -q --read '$EMPTY' > /dev/null"
    for size in $DECAP_SIZES; do
      file="$BENCH_DIR/erspan-$size.pcap"; n=$(( $(records_in "$file") * DECAP_READS ))
      reads="$(for i in $(seq 1 "$DECAP_READS"); do printf -- "--read '%s' " "$file"; done)"
      trial decap "erspan$size" "gulp" "$repeat" "$file" "$n" "'$GULP' -q $reads > /dev/null" "$DECAP_READS"
      trial decap "erspan$size" "gulp -d" "$repeat" "$file" "$n" "'$GULP' -q -d $reads > /dev/null" "$DECAP_READS"
    done
  done
  summary decap gulp
}

run_blocksize() {
  local file n z
  file="$(generate plain 1500)"; n="$(records_in "$file")"
  # Input from the file, not through cat, so the writer side is what limits.
  echo "blocksize: 'gulp -z Z -i - < f' to /dev/null and to a file on the same disk; 1500-byte frames" >&2
  for repeat in $(seq 1 "$REPEATS"); do
    trial blocksize startup gulp-empty "$repeat" "$EMPTY" 0 "'$GULP' -q -i - < '$EMPTY' > /dev/null"
    for z in $BLOCK_SIZES; do
      trial blocksize "1500/file>null" "gulp -z $z" "$repeat" "$file" "$n" "'$GULP' -q -z $z -i - < '$file' > /dev/null"
      trial blocksize "1500/file>file" "gulp -z $z" "$repeat" "$file" "$n" "'$GULP' -q -z $z -i - < '$file' > '$OUT'"
    done
  done
  summary blocksize "gulp -z 1048576"
}

echo "pipe-bench: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), files in $BENCH_DIR, $(date -u +%FT%TZ)" >&2
case "$what" in
  pipe) run_pipe ;;
  decap) run_decap ;;
  blocksize) run_blocksize ;;
  all) run_pipe; run_decap; run_blocksize ;;
esac
