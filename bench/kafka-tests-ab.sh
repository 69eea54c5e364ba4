#!/usr/bin/env bash
# The Kafka test classes of two trees, alternating (repeats the outer loop, order swapped on even
# repeats), with surefire's per-class times:
#   bench/kafka-tests-ab.sh OLD_TREE NEW_TREE [REPEATS]
# e.g. OLD_TREE from `git archive 7d02e64 | tar -x -C /tmp/old`. Logs in /tmp/kafka-tests-ab-R-old|new.log.
set -u
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
OLD=$1 NEW=$2
for r in $(seq 1 "${3:-3}"); do
  order="old new"; [ $((r % 2)) = 0 ] && order="new old"
  for b in $order; do
    dir=$OLD; [ $b = new ] && dir=$NEW
    cd $dir && s=$(date +%s); bin/test -o -Dtest='Kafka*Test' -Dsurefire.failIfNoSpecifiedTests=false > /tmp/kafka-tests-ab-$r-$b.log 2>&1
    e=$(date +%s); echo "$r $b wall $((e-s)) load $(cut -d' ' -f1-3 /proc/loadavg) $(grep -E 'Tests run: [0-9]+, F' /tmp/kafka-tests-ab-$r-$b.log | tail -1)"
    grep -E "Time elapsed.*in gulp" /tmp/kafka-tests-ab-$r-$b.log | sed 's/.*Time elapsed: \([0-9.]*\) s -- in gulp.kafka./  \1 /'
  done
done
