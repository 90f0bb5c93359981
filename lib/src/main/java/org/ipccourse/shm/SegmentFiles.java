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
 * creator is still alive: {@code ipccourse-<pid>-<start millis>-<sequence>} in /dev/shm (or
 * java.io.tmpdir when /dev/shm is not there). The start time guards against a recycled pid.
 */
final class SegmentFiles {
    static final String PREFIX = "ipccourse-";
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final ProcessHandle SELF = ProcessHandle.current();
    private static final long SELF_START = startMillis(SELF);

    private SegmentFiles() {
    }

    static Path directory() {
        String configured = System.getProperty("ipccourse.shm.dir");
        if (configured != null) {
            return Paths.get(configured);
        }
        Path shm = Paths.get("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm
                : Paths.get(System.getProperty("java.io.tmpdir"));
    }

    /** Creates a new, empty, owner-only (rw-------) file with a name that says who created it. */
    static Path createOwnerOnly(String suffix) {
        Path path = directory().resolve(PREFIX + SELF.pid() + "-" + SELF_START + "-"
                + SEQUENCE.incrementAndGet() + suffix);
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
            return process.isPresent() && process.get().isAlive()
                    && Math.abs(startMillis(process.get()) - start) < 2000;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static long startMillis(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
