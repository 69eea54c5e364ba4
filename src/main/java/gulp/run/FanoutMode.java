package gulp.run;

import gulp.linux.PacketFanout;

import java.util.Arrays;
import java.util.Locale;

/**
 * {@code --fanout-mode}: how the kernel spreads an interface's packets over the sockets of
 * {@code --fanout} ({@link PacketFanout}). Hash keeps each flow on one pair; like stenographer it
 * adds the rollover flag (a packet whose pair's kernel ring is full goes to another pair rather
 * than being dropped, so a flow stays whole unless its pair falls behind) and defragmentation
 * (fragments hash as their flow).
 */
public enum FanoutMode {
    HASH(PacketFanout.HASH, PacketFanout.FLAG_ROLLOVER | PacketFanout.FLAG_DEFRAG),
    LB(PacketFanout.LB, 0),
    CPU(PacketFanout.CPU, PacketFanout.FLAG_ROLLOVER),
    ROLLOVER(PacketFanout.ROLLOVER, 0),
    QM(PacketFanout.QM, PacketFanout.FLAG_ROLLOVER);

    private final int kernelMode;
    private final int flags;

    FanoutMode(int kernelMode, int flags) {
        this.kernelMode = kernelMode;
        this.flags = flags;
    }

    public int kernelMode() {
        return kernelMode;
    }

    public int flags() {
        return flags;
    }

    /** The name on the command line: "hash". */
    public String optionName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static String[] names() {
        return Arrays.stream(values()).map(FanoutMode::optionName).toArray(String[]::new);
    }

    /** @throws IllegalArgumentException with the one line to show */
    public static FanoutMode parse(String text) {
        for (FanoutMode mode : values()) {
            if (mode.optionName().equals(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("--fanout-mode " + text + ": not one of " + String.join(", ", names()));
    }

    /** For the start-up line: "hash, rollover, defrag". */
    public String describe() {
        return optionName() + ((flags & PacketFanout.FLAG_ROLLOVER) != 0 && this != ROLLOVER ? " with rollover" : "")
                + ((flags & PacketFanout.FLAG_DEFRAG) != 0 ? " and defragmentation" : "");
    }
}
