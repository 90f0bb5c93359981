package org.ipccourse.measure;

import java.lang.management.ManagementFactory;

/**
 * Bytes allocated on the heap, as HotSpot counts them per thread
 * ({@code com.sun.management.ThreadMXBean}). Counting allocations during one copy is how this
 * package measures the extra memory that copy needs: every buffer a codec or the pool creates for
 * the transfer is allocated during it and stays reachable until it ends, so the sum is the extra
 * heap at the peak (an upper bound when something allocated is dropped early).
 */
final class Allocation {
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private Allocation() {
    }

    /** Bytes allocated so far by all live threads of this JVM, or -1 when not supported. */
    static long allThreads() {
        if (THREADS == null) {
            return -1;
        }
        long[] ids = THREADS.getAllThreadIds();
        long total = 0;
        for (long bytes : THREADS.getThreadAllocatedBytes(ids)) {
            if (bytes > 0) {
                total += bytes;
            }
        }
        return total;
    }

    /** Bytes allocated so far by the calling thread, or -1 when not supported. */
    static long currentThread() {
        return THREADS == null ? -1 : THREADS.getCurrentThreadAllocatedBytes();
    }

    /** {@code after - before}, or -1 when either is unknown or the difference is impossible. */
    static long delta(long before, long after) {
        return before < 0 || after < before ? -1 : after - before;
    }

    private static com.sun.management.ThreadMXBean threads() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                && t.isThreadAllocatedMemorySupported()) {
            t.setThreadAllocatedMemoryEnabled(true);
            return t;
        }
        return null;
    }
}
