package org.ipccourse.shm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.ipccourse.procfs.ProcStat;

/**
 * Where segment files live and how they are named, so that any JVM can tell whether a file's
 * creator is still alive: {@code ipccourse-<pid>-<start>-<sequence>} in /dev/shm, or in
 * java.io.tmpdir where /dev/shm does not exist or is not writable (macOS, some containers). The
 * system property {@code ipccourse.shm.dir} names the directory outright; the tests move the
 * place looked at for /dev/shm with {@code ipccourse.shm.devshm}. The start time guards against
 * a recycled pid, and a zombie (dead, not yet reaped) counts as dead.
 *
 * <p>The start is {@code t<ticks>}, the process's start in clock ticks since boot from
 * /proc/&lt;pid&gt;/stat, where there is a /proc, else {@code m<epoch millis>} from {@code
 * ProcessHandle.Info}. Why not millis everywhere: the JDK derives a process's start instant from
 * the boot time it read when it started, and the boot time in wall-clock terms moves whenever the
 * clock is set (a time-sync step, a virtual machine resumed from a snapshot). Measured on the
 * course machine: after a 10 s step, a JVM started later judged a live JVM's segment stale and
 * deleted it, and a test's worker then found its owner's segment gone. Ticks since boot do not
 * move. A creator whose /proc entry cannot be read (a /proc mounted with {@code hidepid}) counts
 * as alive: a file left behind is the watchdog's to remove, a file removed under a live creator
 * is lost data.
 */
final class SegmentFiles {
    static final String PREFIX = "ipccourse-";
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final ProcessHandle SELF = ProcessHandle.current();
    private static final String SELF_START = startToken(SELF);

    private SegmentFiles() {
    }

    static Path directory() {
        return directory(System.getProperty("ipccourse.shm.dir"),
                Paths.get(System.getProperty("ipccourse.shm.devshm", "/dev/shm")),
                Paths.get(System.getProperty("java.io.tmpdir")));
    }

    /** The configured directory if any, else {@code devShm} if usable, else {@code tmp}. */
    static Path directory(String configured, Path devShm, Path tmp) {
        if (configured != null) {
            return Paths.get(configured);
        }
        return Files.isDirectory(devShm) && Files.isWritable(devShm) ? devShm : tmp;
    }

    /** The start of every file name this JVM creates: {@code ipccourse-<pid>-<start>-}. */
    static String ownPrefix() {
        return PREFIX + SELF.pid() + "-" + SELF_START + "-";
    }

    /**
     * Creates a new, empty, owner-only (rw-------) file with a name that says who created it,
     * under the guard of this JVM's {@link Watchdog}.
     */
    static Path createOwnerOnly(String suffix) {
        Path directory = directory();
        Watchdog.guard(directory, ownPrefix());
        Path path = directory.resolve(ownPrefix() + SEQUENCE.incrementAndGet() + suffix);
        try {
            return Files.createFile(path,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new UncheckedIOException("could not create shared-memory file " + path
                    + "; check free space in " + directory() + " (df -h " + directory() + ")", e);
        }
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // another JVM's sweep may have removed it first; nothing left to do either way
        }
    }

    /** Deletes files whose creating process is gone; returns how many. */
    static int sweepStale() {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory(), PREFIX + "*")) {
            for (Path file : files) {
                if (!creatorAlive(file.getFileName().toString())) {
                    deleteQuietly(file);
                    removed++;
                }
            }
        } catch (IOException | SecurityException e) {
            // an unreadable directory only means we cannot clean up others' leftovers
        }
        return removed;
    }

    static boolean creatorAlive(String fileName) {
        String[] parts = fileName.substring(PREFIX.length()).split("-");
        if (parts.length < 3) {
            return true; // not ours to judge
        }
        try {
            long pid = Long.parseLong(parts[0]);
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            if (process.isEmpty() || !process.get().isAlive() || isZombie(pid)) {
                return false;
            }
            String start = parts[1];
            if (start.startsWith("t")) {
                OptionalLong ticks = startTicks(pid);
                return ticks.isEmpty() || ticks.getAsLong() == Long.parseLong(start.substring(1));
            }
            // m<millis>, or a bare number from a library version that wrote millis unmarked
            long millis = Long.parseLong(start.startsWith("m") ? start.substring(1) : start);
            return Math.abs(startMillis(process.get()) - millis) < 2000;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /** The start part of the names {@code process} creates: ticks since boot, else epoch millis. */
    static String startToken(ProcessHandle process) {
        OptionalLong ticks = startTicks(process.pid());
        return ticks.isPresent() ? "t" + ticks.getAsLong() : "m" + startMillis(process);
    }

    /**
     * Field 22 of /proc/&lt;pid&gt;/stat, the process's start in clock ticks since boot; empty
     * where there is no /proc or it cannot be read.
     */
    static OptionalLong startTicks(long pid) {
        return ProcStat.ofProcess(pid).map(stat -> OptionalLong.of(stat.startTicks())).orElse(OptionalLong.empty());
    }

    /**
     * Whether {@code pid} has exited but not been reaped ({@code ProcessHandle.isAlive()} is true
     * for such a process). Reads the state field of /proc/<pid>/stat; false where there is no
     * /proc (macOS), which leaves the judgement to {@code isAlive()}.
     */
    static boolean isZombie(long pid) {
        return ProcStat.ofProcess(pid).map(ProcStat::exited).orElse(false);
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
