# Sourced by bin/gulp and bin/test: sets JAVA to a Java 25+ binary, or fails with one line.
java_version() {
  # The JDK's release file says it without starting a JVM (that costs ~70 ms per candidate, and
  # every launch pays it); ask the JVM only when there is no release file.
  local real release
  [ -x "$1" ] || return 0
  real="$(readlink -f "$1")" || return 0
  release="$(dirname "$(dirname "$real")")/release"
  if [ -f "$release" ]; then
    sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -1
  else
    "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -1
  fi
}
find_java() {
  local candidates=() j v d
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for d in /usr/lib/jvm/*; do [ -x "$d/bin/java" ] && candidates+=("$d/bin/java"); done
  for j in "${candidates[@]}"; do
    v="$(java_version "$j" || true)"
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then echo "$j"; return 0; fi
  done
  return 1
}
if ! JAVA="$(find_java)"; then
  echo "gulp: needs Java 25 or newer; install it (e.g. apt-get install openjdk-25-jdk) or set JAVA_HOME" >&2
  exit 1
fi
JAVA_HOME_25="$(dirname "$(dirname "$(readlink -f "$JAVA")")")"
# Maven's bundled Guava warns about sun.misc.Unsafe on JDK 25; the warning is harmless noise. Maven
# 3.8's jansi writes colour resets (ESC[0m) even in batch mode and with -q; jansi.noreset stops them.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -Djansi.noreset=true"
