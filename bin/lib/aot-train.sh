# Sourced by bin/gulp and bin/package: aot_train JAVA CACHE JVM_FLAGS... -cp JAR
# Writes the JDK AOT cache CACHE from one training JVM (gulp.cli.AotTraining): a --read of a tiny
# generated capture into -o, gulp index and a one-minute gulp extract to stdout, over a temp directory
# of its own (removed), and, first, when it can (root, unshare and ip present), two 1 s
# live captures into -o DIR (with the index and without) on the loopback of a network namespace of its own (no traffic of the
# machine is seen) of 64-byte UDP frames the training sends itself from 127.0.0.1 to 127.0.0.1
# there, so the cache covers the live path too, with method profiles of traffic (GULP_AOT_LIVE=0:
# --read only). Returns non-zero if no cache was written; the training's stderr is left in
# $AOT_TRAINING_LOG when that is set.
aot_train() {
  local java="$1" cache="$2"
  shift 2
  local dir
  dir="$(mktemp -d)"
  # pcap header (little-endian, microseconds, snaplen 65535, Ethernet) and one 60-byte record
  { printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x01\x00\x00\x00'
    printf '\x00\x00\x00\x00\x00\x00\x00\x00\x3c\x00\x00\x00\x3c\x00\x00\x00'
    head -c 60 /dev/zero; } > "$dir/t.pcap"
  local wrap=() live=()
  if [ "${GULP_AOT_LIVE:-1}" != 0 ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null 2>&1 \
      && command -v ip >/dev/null 2>&1 && unshare -n ip link set lo up 2>/dev/null; then
    wrap=(unshare -n sh -c 'ip link set lo up && exec "$@"' sh)
    mkdir "$dir/live"
    live=(lo "$dir/live")
  fi
  local status=0
  # stdout a file, as in `gulp extract ... > out.pcap`
  "${wrap[@]}" "$java" -XX:AOTCacheOutput="$cache" "$@" gulp.cli.AotTraining "$dir/t.pcap" "${live[@]}" \
      > "$dir/out.pcap" 2> "$dir/err" || status=$?
  [ -n "${AOT_TRAINING_LOG:-}" ] && cp "$dir/err" "$AOT_TRAINING_LOG"
  rm -rf "$dir"
  [ "$status" = 0 ] && [ -f "$cache" ]
}
