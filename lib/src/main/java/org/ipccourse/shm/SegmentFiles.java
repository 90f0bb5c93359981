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
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where segment files live and how they are named, so that any JVM can tell whether a file's
 * creator is still alive: {@code ipccourse-<pid>-<start millis>-<sequence>} in /dev/shm, or in
 * java.io.tmpdir where /dev/shm does not exist or is not writable (macOS, some containers). The
 * system property {@code ipccourse.shm.dir} names the directory outright; the tests move the
 * place looked at for /dev/shm with {@code ipccourse.shm.devshm}. The start time guards against
 * a recycled pid, and a zombie (dead, not yet reaped) counts as dead.
 */
final class SegmentFiles {
    static final String PREFIX = "ipccourse-";
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final ProcessHandle SELF = ProcessHandle.current();
    private static final long SELF_START = startMillis(SELF);

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

    /** The start of every file name this JVM creates: {@code ipccourse-<pid>-<start millis>-}. */
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
            long start = Long.parseLong(parts[1]);
            Optional<ProcessHandle> process = ProcessHandle.of(pid);
            return process.isPresent() && process.get().isAlive() && !isZombie(pid)
                    && Math.abs(startMillis(process.get()) - start) < 2000;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    /**
     * Whether {@code pid} has exited but not been reaped ({@code ProcessHandle.isAlive()} is true
     * for such a process). Reads the state field of /proc/<pid>/stat; false where there is no
     * /proc (macOS), which leaves the judgement to {@code isAlive()}.
     */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')'); // the command name in parentheses may hold anything
            return end > 0 && end + 2 < stat.length() && "ZX".indexOf(stat.charAt(end + 2)) >= 0;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
