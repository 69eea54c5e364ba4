# The JVM flags gulp runs with: the one definition, sourced by bin/gulp, bin/package (the installed
# launcher's --java-options) and the bench/ scripts, and read by the tests' GulpProcess (through
# bash, so keep this file plain: arrays of literal words, no commands).
#
# The data path lives off-heap (ring, kernel ring), so the heap stays small; the ring itself is
# native memory and must not be capped by the direct-memory limit. Serial GC: nothing allocates.
# Nothing but capture data may reach stdout: the JVM's own output (the thread dump SIGQUIT
# prints, crash summaries) and its log warnings (e.g. a stray SIGUSR2) go to stderr instead.
GULP_JVM_FLAGS=(
  --enable-native-access=ALL-UNNAMED
  -Xms64m
  -Xmx512m
  -XX:MaxDirectMemorySize=1t
  -XX:+UseSerialGC
  -XX:-UsePerfData
  -Xss1m
  -XX:+DisplayVMOutputToStderr
  -Xlog:disable
  -Xlog:all=warning:stderr
)
# Added where a JDK AOT cache is used or trained (-XX:AOTCache=, -XX:AOTCacheOutput=): its
# informational lines (a cache that does not match, say) stay silent; a plain start follows.
GULP_AOT_QUIET_FLAGS=(
  '-Xlog:aot*=off:stderr'
  '-Xlog:cds*=off:stderr'
)
