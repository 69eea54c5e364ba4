package gulp.linux;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessAgeTest {
    @Test
    void theProcessIsAsOldAsItsJvmGiveOrTakeTheClockTicks() {
        double jvmUptime = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        double age = ProcessAge.seconds().orElseThrow();
        double jvmUptimeAfter = ManagementFactory.getRuntimeMXBean().getUptime() / 1000.0;
        // The process starts a little before the JVM counts; both clocks tick in 10 ms steps.
        assertTrue(age >= jvmUptime - 0.02, age + " s old, JVM up " + jvmUptime + " s");
        assertTrue(age <= jvmUptimeAfter + 1.0, age + " s old, JVM up " + jvmUptimeAfter + " s");
    }
}
