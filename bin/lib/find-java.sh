# Sourced by bin/gulp and bin/test: sets JAVA to a Java 25+ binary (and JAVA_HOME_25 to its JDK),
# or fails with one line. Every launch pays for this file, so it forks as little as it can: one
# readlink per candidate; the rest are bash builtins (each fork costs 5-20 ms on a busy machine).
java_release_version() { # $1: a JDK's release file; prints its major version
  local line
  while IFS= read -r line; do
    if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
      echo "${BASH_REMATCH[1]}"
      return 0
    fi
  done < "$1"
}
# Sets _java_home (the JDK of the binary, links resolved) and _java_version of candidate $1, or fails.
java_candidate() {
  local real
  _java_version=""
  [ -x "$1" ] || return 1
  real="$(readlink -f "$1")" || return 1
  _java_home="${real%/*}"
  _java_home="${_java_home%/*}"
  # The JDK's release file says it without starting a JVM (that costs ~70 ms per candidate, and
  # every launch pays it); ask the JVM only when there is no release file.
  if [ -f "$_java_home/release" ]; then
    _java_version="$(java_release_version "$_java_home/release")"
  else
    _java_version="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p' | head -1)"
  fi
  [ -n "$_java_version" ]
}
find_java() {
  local candidates=() j d
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  j="$(type -P java)" && candidates+=("$j")
  for d in /usr/lib/jvm/*; do [ -x "$d/bin/java" ] && candidates+=("$d/bin/java"); done
  for j in "${candidates[@]}"; do
    if java_candidate "$j" && [ "$_java_version" -ge 25 ] 2>/dev/null; then
      JAVA="$j"
      JAVA_HOME_25="$_java_home"
      return 0
    fi
  done
  return 1
}
if ! find_java; then
  echo "gulp: needs Java 25 or newer; install it (e.g. apt-get install openjdk-25-jdk) or set JAVA_HOME" >&2
  exit 1
fi
# Maven's bundled Guava warns about sun.misc.Unsafe on JDK 25; the warning is harmless noise. Maven
# 3.8's jansi writes colour resets (ESC[0m) even in batch mode and with -q; jansi.noreset stops them.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow -Djansi.noreset=true"
