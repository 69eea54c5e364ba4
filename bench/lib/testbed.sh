# Sourced by the live benchmark scripts: the private test bed of shared/notes/capture-testbed.md.
# testbed_up PREFIX makes two fresh namespaces joined by a veth pair (sender $GEN/$GIF
# 02:50:00:00:00:01 -> capture $CAP/$CIF 02:50:00:00:00:02, no addresses, no routes, IPv6 off)
# with an nftables netdev ingress drop sink on the capture end, a scratch folder $OUT, and a trap
# that removes all of it on exit. Nothing can leave the pair.
testbed_up() {
  local prefix=$1
  GEN=$prefix-$$-g; CAP=$prefix-$$-c; GIF=$prefix$$g; CIF=$prefix$$c
  OUT=$(mktemp -d "${TMPDIR:-/var/tmp}/gulp-$prefix.XXXXXX")
  trap 'ip netns del $GEN 2>/dev/null || true; ip netns del $CAP 2>/dev/null || true; rm -rf "$OUT"' EXIT
  ip netns add $GEN; ip netns add $CAP
  for n in $GEN $CAP; do
    ip netns exec $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  done
  ip link add $GIF netns $GEN address 02:50:00:00:00:01 type veth peer name $CIF netns $CAP address 02:50:00:00:00:02
  ip -n $GEN link set lo up; ip -n $CAP link set lo up; ip -n $GEN link set $GIF up; ip -n $CAP link set $CIF up
  ip netns exec $CAP nft -f - <<X
table netdev ${prefix}sink { chain in { type filter hook ingress device "$CIF" priority 0; policy drop; }; }
X
}

# A private copy of the compiled classes, so a rebuild during a long run does not change them.
copy_classes() {
  mkdir -p "$OUT/classes" "$OUT/test-classes"
  cp -r "$here/target/classes/." "$OUT/classes/"; cp -r "$here/target/test-classes/gulp" "$OUT/test-classes/"
  CP="$OUT/test-classes:$OUT/classes"
}

rx() { ip netns exec $CAP cat /sys/class/net/$CIF/statistics/rx_packets; }
rps() { ip netns exec $CAP sh -c "echo $1 > /sys/class/net/$CIF/queues/rx-0/rps_cpus"; }
ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' /proc/$1/stat 2>/dev/null || echo 0; }

# copy_jar_with_aot JAR NAME JVM_FLAGS...: a private copy of JAR as $OUT/NAME.jar and, as gulp ships
# (bin/gulp and the package run with a JDK AOT cache trained after the build), a cache trained for
# that copy with bin/lib/aot-train.sh (the class path must be the same at run time): $OUT/NAME.aot,
# or no cache, after one line saying so, when the training fails (an old build without it).
copy_jar_with_aot() {
  local jar=$1 name=$2
  shift 2
  [ -f "$jar" ] || { echo "no $jar: build it first (mvn package)" >&2; exit 1; }
  cp "$jar" "$OUT/$name.jar"
  source "$here/bin/lib/aot-train.sh"
  aot_train "$JAVA" "$OUT/$name.aot" "$@" "${GULP_AOT_QUIET_FLAGS[@]}" -cp "$OUT/$name.jar" \
    || { rm -f "$OUT/$name.aot"; echo "($jar: no AOT cache could be trained; that build runs without one)" >&2; }
}

# copy_base_classes WORDS: when a tool or config in WORDS ends in @base, a private copy of the
# classes of the build $GULP_BASE names (its bin/gulp), in $OUT/base-classes.
copy_base_classes() {
  [[ " $1 " == *@base* ]] || return 0
  mkdir -p "$OUT/base-classes"
  cp -r "$(dirname "${GULP_BASE:?GULP_BASE names the build to compare with}")/../target/classes/." "$OUT/base-classes/"
}

# thread_stat PID NAME EXPR: an awk expression of the fields of /proc/PID/task/*/stat of the
# thread NAME (counted after the command's closing parenthesis: 8 minflt, 12 utime, 13 stime,
# 37 the CPU it last ran on), or - (none).
thread_stat() {
  local t
  for t in /proc/$1/task/*; do
    [ "$(cat $t/comm 2>/dev/null)" = "$2" ] && { awk '{ sub(/.*\) /, ""); print '"$3"' }' $t/stat; return; }
  done
  echo -
}
