package org.ipccourse.shm;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ipccourse.threads.LibraryThreads;

/**
 * This JVM's segments: the ones it created (deleted at exit by a shutdown hook, and by the
 * {@link Watchdog} child if this JVM is killed) and the ones it attached (dropped once their file
 * is gone). A daemon thread sweeps every half second: files of dead creators whose watchdog could
 * not run (a worker killed mid-task on a machine without {@code sh}), attached mappings of deleted
 * files, and segments of {@link SharedMemory} scopes whose pool has shut down. The first use also
 * sweeps what dead JVMs left behind.
 */
final class Registry {
    private static final Set<SharedSegment> CREATED = ConcurrentHashMap.newKeySet();
    private static final Map<String, SharedSegment> ATTACHED = new ConcurrentHashMap<>();
    static final CopyOnWriteArrayList<SharedMemory> SCOPES = new CopyOnWriteArrayList<>();
    private static final long PERIOD_MS = 500;
    private static boolean started;

    private Registry() {
    }

    static synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        SegmentFiles.sweepStale();
        Runtime.getRuntime().addShutdownHook(new Thread(Registry::releaseCreated,
                "ipccourse-shm-cleanup"));
        LibraryThreads.daemon(Registry::sweepForever, "ipccourse-shm-sweeper").start();
    }

    static void created(SharedSegment segment) {
        CREATED.add(segment);
    }

    static SharedSegment attached(SharedSegment.Ref ref) {
        SharedSegment segment = ATTACHED.get(ref.path());
        return segment != null && segment.ref().equals(ref) ? segment : null;
    }

    static void attachedNew(SharedSegment segment) {
        ATTACHED.put(segment.ref().path(), segment);
    }

    static void forget(SharedSegment segment) {
        CREATED.remove(segment);
        ATTACHED.remove(segment.ref().path(), segment);
    }

    /** Number of segments this JVM created and has not released. */
    static int liveCreated() {
        return CREATED.size();
    }

    static void releaseCreated() {
        for (SharedSegment segment : CREATED) {
            segment.release();
        }
    }

    static void sweepOnce() {
        SegmentFiles.sweepStale();
        ATTACHED.values().removeIf(s -> !Files.exists(Paths.get(s.ref().path())));
        for (SharedMemory scope : SCOPES) {
            scope.closeIfPoolShutDown();
        }
    }

    private static void sweepForever() {
        while (true) {
            try {
                Thread.sleep(PERIOD_MS);
                sweepOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // keep sweeping; a failed sweep only delays cleanup
            }
        }
    }
}
