package org.ipccourse.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SharedSegmentTest {
    @Test
    void aSegmentIsAnOwnerOnlyFileThatReleaseRemoves() throws Exception {
        SharedSegment seg = SharedSegment.create(1 << 20);
        Path file = Paths.get(seg.ref().path());
        assertTrue(Files.exists(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(1 << 20, Files.size(file));
        seg.release();
        assertFalse(Files.exists(file), "release deletes the file");
        seg.release(); // twice is harmless
    }

    @Test
    void anotherJvmSeesWhatTheOwnerWrote() throws Exception {
        try (SharedSegment seg = SharedSegment.create(4096)) {
            seg.buffer().putLong(0, 123_456_789L);
            Process child = ChildJvm.start("read", ChildJvm.encode(seg.ref()));
            String line = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertTrue(child.waitFor(20, TimeUnit.SECONDS));
            assertEquals("123456789", line);
        }
    }

    @Test
    void attachingTwiceReusesTheMapping() {
        try (SharedSegment seg = SharedSegment.create(4096)) {
            SharedSegment a = SharedSegment.attach(seg.ref());
            assertSame(a, SharedSegment.attach(seg.ref()));
            a.buffer().putInt(8, 77);
            assertEquals(77, seg.buffer().getInt(8), "both mappings share the pages");
        }
    }

    @Test
    void aReleasedSegmentCannotBeUsedOrAttachedAgain() {
        SharedSegment seg = SharedSegment.create(4096);
        SharedSegment attached = SharedSegment.attach(seg.ref());
        seg.release();
        IllegalStateException e = assertThrows(IllegalStateException.class, seg::buffer);
        assertTrue(e.getMessage().contains("was released"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> SharedSegment.attach(seg.ref()));
        assertFalse(attached.isReleased());
    }

    @Test
    void negativeAndOversizedSegmentsAreRejectedWithoutLeavingAFile() throws Exception {
        long before = countOurFiles();
        assertThrows(IllegalArgumentException.class, () -> SharedSegment.create(-1));
        assertThrows(IllegalArgumentException.class, () -> SharedSegment.create(1L << 40));
        assertEquals(before, countOurFiles());
    }

    @Test
    void segmentsOfAKilledJvmAreSweptAway() throws Exception {
        Process child = ChildJvm.start("create", "65536");
        String path = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8)).readLine();
        assertTrue(path != null && Files.exists(Paths.get(path)), "child created " + path);
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        SharedSegment.create(0).release(); // makes sure this JVM's sweeper runs
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.exists(Paths.get(path)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(Files.exists(Paths.get(path)), "the sweep removed the dead JVM's segment");
    }

    @Test
    void aScopeReleasesItsSegmentsWhenThePoolShutsDown() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        SharedMemory shm = SharedMemory.of(pool);
        Path file = Paths.get(shm.allocate(4096).ref().path());
        assertEquals(1, shm.liveSegments());
        pool.shutdown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (Files.exists(file) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(Files.exists(file), "segment removed after the pool shut down");
        assertThrows(IllegalStateException.class, () -> shm.allocate(10));
        assertThrows(IllegalStateException.class, () -> SharedMemory.of(pool));
    }

    @Test
    void closingAScopeReleasesEverySegment() {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (SharedMemory shm = SharedMemory.of(pool)) {
            SharedSegment a = shm.allocate(100);
            SharedSegment b = shm.allocate(100);
            shm.close();
            assertTrue(a.isReleased() && b.isReleased());
            assertFalse(Files.exists(Paths.get(a.ref().path())));
        } finally {
            pool.shutdownNow();
        }
    }

    static long countOurFiles() throws Exception {
        try (var files = Files.list(SegmentFiles.directory())) {
            return files.filter(p -> p.getFileName().toString().startsWith(
                    SegmentFiles.PREFIX + ProcessHandle.current().pid() + "-")).count();
        }
    }
}
