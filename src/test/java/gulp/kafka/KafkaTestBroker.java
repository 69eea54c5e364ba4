package gulp.kafka;

import gulp.testing.TempTrees;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker for the tests and bench/kafka-bench.sh: one KRaft node (broker and controller
 * combined, Kafka's own {@code KafkaClusterTestKit}) in a JVM of its own, so that a test can pause it
 * for real (SIGSTOP: connections stay open, nothing answers) and let it go on (SIGCONT). One process
 * serves every Kafka test class of a test run (started on first use, stopped when the JVM exits).
 * Each broker started here has a directory of its own for java.io.tmpdir (its log directories,
 * Kafka's kafka-N, and lz4-java's unpacked library go there), removed when it ends, killed or not.
 *
 * <pre>
 * java -cp TEST_CLASSPATH gulp.kafka.KafkaTestBroker   prints "BOOTSTRAP host:port" and serves until stdin closes
 * </pre>
 */
public final class KafkaTestBroker {
    private static Process process;
    private static String bootstrap;

    private KafkaTestBroker() {
    }

    public static void main(String[] args) throws Exception {
        try (KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.partitions", "4")
                .build()) {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            System.out.println("BOOTSTRAP " + cluster.bootstrapServers());
            System.out.flush();
            while (System.in.read() >= 0) {
                // serve until the parent closes stdin (or dies)
            }
        }
        System.exit(0);
    }

    /** The shared broker's bootstrap list, starting it on first use. */
    public static synchronized String bootstrap() throws IOException {
        if (bootstrap != null) {
            return bootstrap;
        }
        Started started = start(List.of());
        process = started.process();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                started.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        bootstrap = started.bootstrap();
        return bootstrap;
    }

    /** A broker process of its own, its bootstrap list and its directory (the caller ends it). */
    public record Started(Process process, String bootstrap, Path directory) implements AutoCloseable {
        /** Ends the broker: stdin closed (it stops by itself), killed if it has not after 10 s; its directory removed. */
        @Override
        public void close() throws IOException, InterruptedException {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            TempTrees.delete(directory);
        }

        /** Ends the broker at once (SIGKILL, paused or not) and removes its directory. */
        public void kill() throws InterruptedException {
            process.destroyForcibly().waitFor();
            TempTrees.deleteQuietly(directory);
        }
    }

    /** Starts a broker of its own, its command after {@code prefix} (e.g. {@code ip netns exec NS}). */
    public static Started start(List<String> prefix) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path directory = Files.createTempDirectory("gulp-kafka-broker");
        List<String> command = new java.util.ArrayList<>(prefix);
        // -XX:-UsePerfData: a killed JVM leaves no /tmp/hsperfdata_USER/PID
        command.addAll(List.of(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-Djava.io.tmpdir=" + directory, "-cp", System.getProperty("java.class.path"), KafkaTestBroker.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process started;
        try {
            started = builder.start();
        } catch (IOException e) {
            TempTrees.deleteQuietly(directory);
            throw e;
        }
        BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("BOOTSTRAP ")) {
                return new Started(started, line.substring("BOOTSTRAP ".length()).trim(), directory);
            }
        }
        try {
            new Started(started, null, directory).kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IOException("the test broker did not start");
    }

    /** The broker's process, for SIGSTOP / SIGCONT. */
    public static synchronized long pid() throws IOException {
        bootstrap();
        return process.pid();
    }

    /** Creates {@code topic} with {@code partitions} partitions (replication 1) on the shared broker. */
    public static void createTopic(String topic, int partitions) throws Exception {
        createTopic(bootstrap(), topic, partitions);
    }

    /** Creates {@code topic} with {@code partitions} partitions (replication 1) on the broker at {@code bootstrap}. */
    public static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            // created is not yet led: on a busy machine a producer started now may wait out its timeouts
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!led(admin, topic) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }
    }

    /** Whether every partition of {@code topic} has a leader. */
    private static boolean led(Admin admin, String topic) throws InterruptedException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic).partitions()
                    .stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }
}
