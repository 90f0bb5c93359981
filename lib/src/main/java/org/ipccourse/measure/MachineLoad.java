package org.ipccourse.measure;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.ipccourse.procfs.ProcStat;

/**
 * How much CPU other processes took while something was measured: the machine's busy time (from
 * {@code /proc/stat}) minus the CPU time of this JVM and of its descendants (the pool's workers),
 * over the wall time, in cores. A figure near 0 means the measurement had the machine to itself;
 * a figure near the number of cores means every core was shared with something else. Where
 * {@code /proc/stat} is missing (not Linux) only the one-minute load average is known.
 *
 * <p>Costs: reading {@code /proc/stat} and one {@code /proc/<pid>/stat} per descendant at start
 * and at stop, well under a millisecond for a pool of a few workers.
 */
final class MachineLoad {
    private static final Path PROC_STAT = Path.of("/proc/stat");

    private final long startNanos;
    private final double startBusySeconds;
    private final double startOwnSeconds;

    private MachineLoad(long startNanos, double busy, double own) {
        this.startNanos = startNanos;
        this.startBusySeconds = busy;
        this.startOwnSeconds = own;
    }

    /** What other processes did over a measured span. */
    record Sample(double othersCores, double loadAverage, int cores) {
        /** Other processes kept more than half a core, or a quarter of the machine, busy. */
        boolean busy() {
            return othersCores > Math.max(0.5, 0.25 * cores);
        }

        String describe() {
            String load = loadAverage >= 0 ? String.format("load average %.1f", loadAverage)
                    : "load average unknown";
            if (Double.isNaN(othersCores)) {
                return load + " on " + cores + " cores";
            }
            return String.format("other processes used %.1f of %d cores, %s", Math.max(0, othersCores),
                    cores, load);
        }
    }

    static MachineLoad start() {
        return new MachineLoad(System.nanoTime(), busySeconds(), ownSeconds());
    }

    Sample stop() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        double busy = busySeconds() - startBusySeconds;
        double own = ownSeconds() - startOwnSeconds;
        double others = Double.isNaN(busy) || wall <= 0 ? Double.NaN : (busy - own) / wall;
        return new Sample(others, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    /** Busy CPU seconds of the whole machine since boot, NaN where unknown. */
    private static double busySeconds() {
        try {
            String first = Files.readAllLines(PROC_STAT).get(0); // cpu user nice system idle iowait ...
            String[] f = first.trim().split("\\s+");
            double busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) { // idle and iowait are not busy
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy / ProcStat.TICKS_PER_SECOND; // /proc/stat counts in the same ticks
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** CPU seconds of this JVM and of every live descendant (worker JVMs). */
    private static double ownSeconds() {
        double total = cpu(ProcessHandle.current());
        total += ProcessHandle.current().descendants().mapToDouble(MachineLoad::cpu).sum();
        return total;
    }

    private static double cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L) / 1e9;
    }
}
