#!/usr/bin/env bash
# Two builds of gulp measured in the same session, alternating, so machine drift hits both alike:
#
#   bench/compare-builds.sh OLD NEW [REPEATS] [BENCHES]
#   OLD, NEW  a commit (anything git rev-parse takes) or a directory holding a tree (pom.xml, src,
#             bench: e.g. a worktree with uncommitted changes)
#   REPEATS   default 3 (the outer loop; odd repeats run OLD first, even ones NEW first)
#   BENCHES   default "decap ring"; also "encoder" (EncoderBenchmark, pcap against pcapng), "capture" (bench/capture-bench.sh, gulp only) and
#             "erspan" (bench/erspan-bench.sh, gulp -d only): live veth test beds, slow, need root
#
# Each build is extracted (git archive) into its own directory under /tmp and compiled there
# (mvn test-compile), so nothing in the working tree changes and a rebuild elsewhere cannot change
# what is measured. The JMH benchmarks run with each build's own classes; OVERLAY names files
# copied from NEW into OLD before building (default: DecapBenchmark.java, which compiles against
# both the int outcome codes and DecapOutcome, so both builds run the same cases).
#
# Environment: JMH_OPTS (default "-f 1 -wi 3 -w 1 -i 5 -r 1"), DECAP_ARGS / RING_ARGS / ENCODER_ARGS (extra JMH
# arguments, e.g. DECAP_ARGS="-p encapsulation=vxlan,erspan2"), CAPTURE_ARGS (default
# "200000 1 '64 1500' gulp B"), ERSPAN_ARGS (default "200000 1 1500 B d"), KEEP=1 keeps the
# directory, JAVA_HOME (default Temurin 25).
#
# Output: per case, the median score of each build over the repeats (min-max), and the cost ratio
# new/old of the medians (time per operation, or the inverse of a throughput; < 1: NEW is faster),
# with the spread of the per-repeat ratios, which shows the noise of the machine.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: bench/compare-builds.sh OLD NEW [REPEATS] [BENCHES]" >&2; exit 2; }
OLD=$1 NEW=$2 REPEATS=${3:-3} BENCHES=${4:-"decap ring"}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA=$JAVA_HOME/bin/java
JMH_OPTS=${JMH_OPTS:-"-f 1 -wi 3 -w 1 -i 5 -r 1"}
OVERLAY=${OVERLAY:-src/test/java/gulp/bench/DecapBenchmark.java}
WORK=$(mktemp -d /tmp/gulp-compare.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
echo "compare-builds: work directory $WORK"

# extract REF DIR: the tree of a commit, or a copy of a directory's tree, into DIR.
extract() {
  mkdir -p "$2"
  if [ -d "$1" ]; then
    (cd "$1" && tar -cf - --exclude=./target pom.xml src bench) | tar -xf - -C "$2"
    echo "$1 (directory, $(git -C "$1" rev-parse --short HEAD 2>/dev/null || echo '?') plus changes)"
  else
    git -C "$here" archive "$(git -C "$here" rev-parse --verify "$1^{commit}")" | tar -xf - -C "$2"
    echo "$1 = $(git -C "$here" log -1 --format='%h %s' "$1" | cut -c1-90)"
  fi
}

build() {
  (cd "$1" && { mvn -B -ntp -q -o test-compile >"$1/build.log" 2>&1 || mvn -B -ntp -q test-compile >"$1/build.log" 2>&1; } \
      && mvn -B -ntp -q -o dependency:build-classpath -Dmdep.outputFile="$1/cp.txt" >>"$1/build.log" 2>&1) \
    || { echo "gulp: compare-builds: building $1 failed (see $1/build.log):" >&2; tail -20 "$1/build.log" >&2; exit 1; }
}

extract "$OLD" "$WORK/old" | sed 's/^/  old: /'
extract "$NEW" "$WORK/new" | sed 's/^/  new: /'
for f in $OVERLAY; do
  [ -f "$WORK/new/$f" ] && mkdir -p "$(dirname "$WORK/old/$f")" && cp "$WORK/new/$f" "$WORK/old/$f" && echo "  old: $f taken from new"
done
build "$WORK/old"
build "$WORK/new"

# jmh BUILD REP NAME CLASS ARGS...: one JMH run of CLASS with BUILD's classes, results as CSV.
jmh() {
  local build=$1 rep=$2 name=$3 class=$4; shift 4
  local tree=$WORK/$build
  echo "  repeat $rep, $build: $class $JMH_OPTS $*"
  # shellcheck disable=SC2086
  "$JAVA" -cp "$tree/target/test-classes:$tree/target/classes:$(cat "$tree/cp.txt")" org.openjdk.jmh.Main \
      "$class" $JMH_OPTS "$@" -rf csv -rff "$WORK/results/$name-$build-$rep.csv" > "$WORK/results/$name-$build-$rep.log" 2>&1 \
    || { echo "gulp: compare-builds: JMH failed, see $WORK/results/$name-$build-$rep.log" >&2; KEEP=1; trap - EXIT; exit 1; }
}

# live BUILD REP NAME SCRIPT ARGS...: one run of a test-bed script of BUILD's tree, rows kept.
live() {
  local build=$1 rep=$2 name=$3 script=$4; shift 4
  echo "  repeat $rep, $build: $script $*"
  RESULTS="$WORK/results/$name-$build-$rep.tsv" "$WORK/$build/bench/$script" "$@" > "$WORK/results/$name-$build-$rep.log" 2>&1 \
    || { echo "gulp: compare-builds: $script failed, see $WORK/results/$name-$build-$rep.log" >&2; KEEP=1; trap - EXIT; exit 1; }
}

mkdir -p "$WORK/results"
for rep in $(seq 1 "$REPEATS"); do
  if [ $((rep % 2)) = 1 ]; then order="old new"; else order="new old"; fi
  for build in $order; do
    for bench in $BENCHES; do
      case $bench in
        # shellcheck disable=SC2086
        decap) jmh $build $rep decap gulp.bench.DecapBenchmark -bm avgt -tu ns ${DECAP_ARGS:-} ;;
        # shellcheck disable=SC2086
        ring) jmh $build $rep ring gulp.bench.RingBenchmark ${RING_ARGS:-} ;;
        # shellcheck disable=SC2086
        encoder) jmh $build $rep encoder gulp.bench.EncoderBenchmark ${ENCODER_ARGS:-} ;;
        # shellcheck disable=SC2086
        capture) eval "live $build $rep capture capture-bench.sh ${CAPTURE_ARGS:-"200000 1 '64 1500' gulp B"}" ;;
        # shellcheck disable=SC2086
        erspan) eval "live $build $rep erspan erspan-bench.sh ${ERSPAN_ARGS:-"200000 1 1500 B d"}" ;;
        *) echo "gulp: compare-builds: unknown benchmark '$bench' (decap, ring, encoder, capture, erspan)" >&2; exit 2 ;;
      esac
    done
  done
done

python3 - "$WORK/results" "$REPEATS" $BENCHES <<'EOF'
import csv, glob, os, statistics, sys

results, repeats, benches = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
# Live test beds: the figure compared (a cost, lower is better) and the columns naming a case.
LIVE = {"capture": ("cpu_s_per_mpkt", ("tool", "mode", "size")),
        "erspan": ("gulp_cpu_us_per_pkt", ("config", "mode", "size"))}


def jmh_rows(path):
    """(case, cost, unit) per JMH row: cost is time per op (avgt) or 1/throughput."""
    with open(path) as f:
        for row in csv.DictReader(f):
            params = ",".join(f"{k[7:]}={v}" for k, v in row.items() if k.startswith("Param: "))
            case = row["Benchmark"].rsplit(".", 1)[-1] + (f" [{params}]" if params else "")
            score = float(row["Score"])
            # A secondary result (group member, aux counter such as spsc:fullRing) is compared as it is.
            thrpt = row["Mode"] == "thrpt" and ":" not in row["Benchmark"].rsplit(".", 1)[-1]
            unit = row["Unit"] if thrpt or row["Mode"] != "thrpt" else "score " + row["Unit"]
            yield case, (1.0 / score if thrpt and score > 0 else score), unit, thrpt


def live_rows(path, bench):
    column, keys = LIVE[bench]
    with open(path) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row.get(column) not in (None, "", "-"):
                yield " ".join(row[k] for k in keys), float(row[column]), column, False


scores = {}  # (bench, case) -> {build: {rep: (cost, unit, thrpt)}}
for bench in benches:
    for build in ("old", "new"):
        for rep in range(1, repeats + 1):
            base = os.path.join(results, f"{bench}-{build}-{rep}")
            rows = jmh_rows(base + ".csv") if bench not in LIVE else live_rows(base + ".tsv", bench)
            for case, cost, unit, thrpt in rows:
                scores.setdefault((bench, case), {}).setdefault(build, {})[rep] = (cost, unit, thrpt)


def shown(cost, thrpt):
    return 1.0 / cost if thrpt else cost


def fmt(x):
    return f"{x:.4g}"


print(f"\nmedians over {repeats} repeats (min-max); ratio = cost new/old of the medians (< 1: new faster),"
      " per-repeat ratios min-max;\nsecondary JMH results (name:label, unit 'score'): ratio of the scores as they"
      " are, read by their meaning")
print(f"| bench | case | unit | old | new | ratio | per-repeat |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for (bench, case), builds in scores.items():
    if set(builds) != {"old", "new"}:
        print(f"| {bench} | {case} | | {'-' if 'old' not in builds else 'ok'} | {'-' if 'new' not in builds else 'ok'} | n/a | |")
        continue
    unit, thrpt = next(iter(builds["old"].values()))[1:]
    med = {b: statistics.median(c for c, _, _ in builds[b].values()) for b in ("old", "new")}
    col = {b: f"{fmt(shown(med[b], thrpt))} ({fmt(min(shown(c, thrpt) for c, _, _ in builds[b].values()))}-"
              f"{fmt(max(shown(c, thrpt) for c, _, _ in builds[b].values()))})" for b in ("old", "new")}
    per = [builds["new"][r][0] / builds["old"][r][0] for r in builds["old"]
           if r in builds["new"] and builds["old"][r][0] != 0]
    if med["old"] == 0 or not per:  # a secondary counter that stayed 0 (e.g. spsc:fullRing)
        print(f"| {bench} | {case} | {unit} | {col['old']} | {col['new']} | n/a | |")
        continue
    print(f"| {bench} | {case} | {unit} | {col['old']} | {col['new']} | {med['new'] / med['old']:.3f} | "
          f"{min(per):.2f}-{max(per):.2f} |")
EOF
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
