#!/usr/bin/env bash
# Start-up of a small cold `gulp extract`: this tree's jar with its AOT cache trained as this
# tree trains it (AotTraining with an extraction) against the same jar but for the AotTraining
# class of OLD_REV (default 775f218: a training without an extraction), so only the cache differs.
# Generates a directory of 4 files (32 MB, 2000 packets/s) in /tmp, then bench/extract-ab.sh
# (builds interleaved, repeats outer, cold = page cache dropped, inside flock /tmp/bench-disk.lock)
# and a warm hyperfine of both (whole-process figures). Removes what it made. Root.
# usage: bench/aot-extract-ab.sh [REPEATS (5)] [OLD_REV (775f218)]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repeats="${1:-5}"; rev="${2:-775f218}"
source "$here/bin/lib/find-java.sh"
work="$(mktemp -d /tmp/aot-extract-ab.XXXXXX)"; trap 'rm -rf "$work"' EXIT
(cd "$here" && JAVA_HOME="$JAVA_HOME_25" mvn -q -B -ntp -o -DskipTests test-compile package >&2)
for b in old new; do
  mkdir -p "$work/$b/target"; cp -r "$here/bin" "$work/$b/"; cp -r "$here/target/gulp.jar" "$here/target/lib" "$work/$b/target/"
done
mkdir -p "$work/src/gulp/cli" "$work/cls"
git -C "$here" show "$rev:src/main/java/gulp/cli/AotTraining.java" > "$work/src/gulp/cli/AotTraining.java"
"$JAVA_HOME_25/bin/javac" -nowarn -cp "$here/target/classes" -d "$work/cls" "$work/src/gulp/cli/AotTraining.java"
"$JAVA_HOME_25/bin/jar" --update --file "$work/old/target/gulp.jar" -C "$work/cls" gulp/cli/AotTraining.class
for b in old new; do "$work/$b/bin/gulp" -v 2>/dev/null; ls -l "$work/$b/target/gulp.aot" | awk -v b=$b '{print b " cache: " $5 " bytes"}' >&2; done
mkdir "$work/d"
"$JAVA_HOME_25/bin/java" -cp "$here/target/test-classes:$here/target/classes" gulp.bench.ExtractTrafficGenerator \
  32000000 2000 192.0.2.77 - | "$work/new/bin/gulp" -i - -o "$work/d" --rotate-size 8M --nano -q
echo "directory: $(ls "$work/d" | grep -c '\.pcap$') files, $(du -sh "$work/d" | cut -f1); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
flock /tmp/bench-disk.lock "$here/bench/extract-ab.sh" "$work/d" "$work/old" "$work/new" "$repeats"
span=$("$work/new/bin/gulp" extract "$work/d" --list 2>/dev/null | awk '{print $2}' | sort | head -1)
from=$(( $(date -d "$span" +%s) + 30 )); to=$(( from + 60 ))
command -v hyperfine >/dev/null && hyperfine -N -w 2 -r "$((repeats * 2))" \
  -n "old training (warm)" "$work/old/bin/gulp extract $work/d --from $from --to $to -q" \
  -n "new training (warm)" "$work/new/bin/gulp extract $work/d --from $from --to $to -q" 2>&1 || true
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
