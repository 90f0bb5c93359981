package org.ipccourse.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment files do not outlive their creator: a watchdog child removes them when the creator dies
 * (SIGKILL, or a zombie nobody reaps), with no other JVM using the package; and where /dev/shm
 * is missing, segments live in the temporary directory. Each child JVM here writes into a
 * directory of its own, which no sweeper of this JVM looks at.
 */
@Timeout(60)
class SegmentCleanupTest {
    /** The watchdog must remove a dead creator's files within this bound. */
    private static final long BOUND_MS = 3000;

    @Test
    void theFilesOfASigkilledCreatorAreGoneWithoutAnyOtherJvmSweeping(@TempDir Path dir) throws Exception {
        Process child = new ProcessBuilder(ChildJvm.command(List.of("-Dipccourse.shm.dir=" + dir), "hold", "3", "65536"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            List<Path> files = readPaths(child);
            assertEquals(3, files.size());
            assertTrue(files.stream().allMatch(Files::exists), "the child created " + files);
            List<ProcessHandle> watchdogs = child.toHandle().children().collect(Collectors.toList());
            assertEquals(1, watchdogs.size(), "one watchdog per JVM and directory, found " + watchdogs);

            child.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            long gone = awaitGone(files);
            assertTrue(gone <= BOUND_MS, "the files outlived their creator by " + gone + " ms: " + list(dir));
            watchdogs.get(0).onExit().get(BOUND_MS, TimeUnit.MILLISECONDS); // the watchdog exits with its owner
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aZombieCreatorCountsAsDeadAndItsFilesGo(@TempDir Path dir) throws Exception {
        // The child JVM's parent is a shell that execs into sleep, which never reaps it: once
        // killed, the JVM stays a zombie for as long as the sleep runs.
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "\"$@\" & exec sleep 120", "sh"));
        command.addAll(ChildJvm.command(List.of("-Dipccourse.shm.dir=" + dir), "hold", "2", "4096"));
        Process parent = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            List<Path> files = readPaths(parent);
            String name = files.get(0).getFileName().toString();
            long pid = Long.parseLong(name.substring(SegmentFiles.PREFIX.length()).split("-")[0]);
            assertTrue(SegmentFiles.creatorAlive(name), "a live creator counts as alive");

            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!SegmentFiles.isZombie(pid) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(SegmentFiles.isZombie(pid), "the killed JVM " + pid + " should be a zombie: " + stat(pid));
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "the JDK calls a zombie alive, which is why the state is read from /proc");
            assertFalse(SegmentFiles.creatorAlive(name), "a zombie creator counts as dead");
            long gone = awaitGone(files);
            assertTrue(gone <= BOUND_MS, "the zombie's files outlived it by " + gone + " ms: " + list(dir));
        } finally {
            parent.destroyForcibly();
            parent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCreatorIsKnownByItsStartInTicksSinceBootNotByTheWallClock() {
        ProcessHandle self = ProcessHandle.current();
        String start = SegmentFiles.startToken(self);
        assertTrue(start.startsWith("t"), "on Linux the start is read from /proc in ticks: " + start);
        long ticks = Long.parseLong(start.substring(1));
        String prefix = SegmentFiles.PREFIX + self.pid() + "-";
        assertTrue(SegmentFiles.creatorAlive(prefix + start + "-1"), "this JVM counts as alive");
        assertFalse(SegmentFiles.creatorAlive(prefix + "t" + (ticks - 1) + "-1"),
                "the same pid with another start is a recycled pid: its creator is dead");
        long millis = self.info().startInstant().orElseThrow().toEpochMilli();
        assertTrue(SegmentFiles.creatorAlive(prefix + millis + "-1"), "names in millis still work");
        assertFalse(SegmentFiles.creatorAlive(prefix + "m" + (millis - 60_000) + "-1"));
        assertTrue(SegmentFiles.ownPrefix().startsWith(prefix + start + "-"));
    }

    @Test
    void withoutDevShmSegmentsLiveInTheTemporaryDirectory(@TempDir Path tmp) throws Exception {
        Path missing = tmp.resolve("no-dev-shm");
        assertEquals(tmp, SegmentFiles.directory(null, missing, tmp));
        assertEquals(tmp, SegmentFiles.directory(null, Paths.get("/proc/self/no-such-dir"), tmp));
        assertEquals(Paths.get("/x"), SegmentFiles.directory("/x", missing, tmp), "the configured directory wins");

        Process child = new ProcessBuilder(ChildJvm.command(
                List.of("-Dipccourse.shm.devshm=" + missing, "-Djava.io.tmpdir=" + tmp), "hold", "1", "4096"))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            Path file = readPaths(child).get(0);
            assertEquals(tmp, file.getParent(), "the segment belongs in the temporary directory");
            try (SharedSegment seen = SharedSegment.attach(new SharedSegment.Ref(file.toString(), 4096))) {
                seen.buffer().putLong(0, 42L); // a mapped file there works like one in /dev/shm
                assertEquals(42L, seen.buffer().getLong(0));
            }
            child.destroyForcibly();
            assertTrue(awaitGone(List.of(file)) <= BOUND_MS, "the watchdog cleans the temporary directory too");
        } finally {
            child.destroyForcibly();
        }
    }

    private static List<Path> readPaths(Process child) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        List<Path> paths = new ArrayList<>();
        for (String line; (line = out.readLine()) != null && !line.equals("ready"); ) {
            paths.add(Paths.get(line));
        }
        return paths;
    }

    /** Milliseconds until none of {@code files} exists (gives up a little after the bound). */
    private static long awaitGone(List<Path> files) throws InterruptedException {
        long start = System.nanoTime();
        while (files.stream().anyMatch(Files::exists)
                && System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(BOUND_MS + 2000)) {
            Thread.sleep(10);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return files.stream().anyMatch(Files::exists) ? Long.MAX_VALUE : ms;
    }

    private static String list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.joining(", ", "[", "]"));
        }
    }

    private static String stat(long pid) {
        try {
            return Files.readString(Paths.get("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return "no /proc/" + pid + "/stat";
        }
    }
}
