package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RoundTripTest {
    @Test
    void aWarmUpStoppedByItsCapSaysSoAndASettledOneDoesNot() {
        Interval us = Interval.ofMedian(new double[] {9, 10, 11, 10, 9, 10});
        RoundTrip capped = new RoundTrip(us, false, 40_000, 4_000.5);
        RoundTrip settled = new RoundTrip(us, true, 9_300, 120);
        assertTrue(capped.summary().contains("NOT SETTLED"), capped.summary());
        assertTrue(capped.summary().contains("upper bound"), capped.summary());
        assertFalse(settled.summary().contains("SETTLED"), settled.summary());
        assertTrue(settled.summary().contains("9,300 tasks"), settled.summary());
        assertEquals(0.01, settled.millis(), 1e-12);
    }

    @Test
    @Timeout(30)
    void aThreadPoolIsMeasuredAfterAtLeastTheFewestWarmUpTasksOrTheCap() {
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            RoundTrip trip = RoundTrip.of(threads);
            assertTrue(trip.micros() > 0);
            assertEquals(RoundTrip.BATCHES, trip.warm().n());
            assertTrue(trip.settled() ? trip.warmupTasks() >= WarmupRule.MIN_TASKS
                    : trip.warmupMillis() >= RoundTrip.MAX_WARMUP_MS, trip.summary());
            assertEquals(RoundTrip.FIRST_TASKS, RoundTrip.firstTasks(threads).n());
            assertEquals(7, RoundTrip.sample(threads, () -> 2, 7).n());
            java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();
            RoundTrip given = RoundTrip.of(threads, () -> runs.incrementAndGet());
            assertEquals(given.warmupTasks() + (long) RoundTrip.BATCHES * RoundTrip.BATCH, runs.get(),
                    "the warm-up and the timed batches run the task given");
            assertThrows(IllegalArgumentException.class, () -> RoundTrip.sample(threads, () -> 2, 0));
        } finally {
            threads.shutdownNow();
        }
    }
}
