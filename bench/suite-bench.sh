#!/usr/bin/env bash
# Test-suite run time: chosen test classes with and without a switch, interleaved, CPU and wall.
#   bench/suite-bench.sh RUNS TESTS [VARIABLE]
#   e.g. bench/suite-bench.sh 3 'RotatingOutputCommandLineTest,CaptureFileCommandTest' GULP_TEST_AOT
# Each repeat (the outer loop) runs `mvn surefire:test -Dtest=TESTS` (the classes compiled before,
# e.g. by mvn test-compile) once with VARIABLE=0 and once with it unset, and prints the wall time,
# the CPU time of the whole run (user + system of mvn and every process under it: the test JVM and
# the gulp, tcpdump and broker processes it starts) and the per-class times surefire reports.
# Medians at the end. Under load the wall times are indicative only; CPU times move less.
set -euo pipefail
runs="${1:?usage: bench/suite-bench.sh RUNS TESTS [VARIABLE]}"
tests="${2:?usage: bench/suite-bench.sh RUNS TESTS [VARIABLE]}"
variable="${3:-GULP_TEST_AOT}"
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
source bin/lib/find-java.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
classes() {
  python3 - target/surefire-reports/TEST-*.xml <<'PY'
import sys, xml.etree.ElementTree as E
print(" ".join("%s=%ss" % (E.parse(f).getroot().get("name").split(".")[-1], E.parse(f).getroot().get("time")) for f in sys.argv[1:]))
PY
}
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }
for ((r = 1; r <= runs; r++)); do
  for mode in off on; do
    rm -rf target/surefire-reports
    set +e
    if [ "$mode" = off ]; then
      env "$variable=0" JAVA_HOME="$JAVA_HOME_25" /usr/bin/time -f '%e %U %S' -o "$out/time" \
        mvn -B -ntp -q -o surefire:test -Dtest="$tests" > "$out/log" 2>&1
    else
      env -u "$variable" JAVA_HOME="$JAVA_HOME_25" /usr/bin/time -f '%e %U %S' -o "$out/time" \
        mvn -B -ntp -q -o surefire:test -Dtest="$tests" > "$out/log" 2>&1
    fi
    status=$?
    set -e
    read -r wall user sys < "$out/time"
    cpu="$(echo "$user + $sys" | bc)"
    echo "$mode $wall $cpu" >> "$out/all"
    echo "run $r $variable=$mode: wall ${wall} s, cpu ${cpu} s, status $status; $(classes)"
  done
done
for mode in off on; do
  echo "median $variable=$mode: wall $(awk -v m=$mode '$1 == m {print $2}' "$out/all" | median) s," \
    "cpu $(awk -v m=$mode '$1 == m {print $3}' "$out/all" | median) s"
done
