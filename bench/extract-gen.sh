#!/usr/bin/env bash
# Generates a directory of gulp-written rotated files for bench/extract-bench.sh: generated
# traffic between 65536 hosts (one rare host, 192.0.2.77, in about 1 % of the files) read by
# `gulp -i - -o DIR --rotate-size SIZE`, so the files and their indexes are what a capture writes.
#
# usage: bench/extract-gen.sh DIR [TOTAL (default 50G)] [ROTATE (default 512M)] [PACKETS_PER_SECOND (default 200000)]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:?usage: extract-gen.sh DIR [TOTAL] [ROTATE] [PPS]}"
total="${2:-50G}"
rotate="${3:-512M}"
pps="${4:-200000}"
bytes=$(numfmt --from=iec "$total")
source "$here/bin/lib/find-java.sh"
(cd "$here" && JAVA_HOME="$JAVA_HOME_25" mvn -q -B -ntp -DskipTests test-compile package >&2)
mkdir -p "$dir"
"$JAVA_HOME_25/bin/java" -cp "$here/target/test-classes:$here/target/classes" gulp.bench.ExtractTrafficGenerator \
  "$bytes" "$pps" 192.0.2.77 - | "$here/bin/gulp" -i - -o "$dir" --rotate-size "$rotate" --nano -q
ls "$dir" | grep -c '\.pcap$' | xargs echo "files:" >&2
du -sh "$dir" >&2
