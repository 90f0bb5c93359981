package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The settle rule on synthetic sequences of per-task costs; no clock is involved. */
class WarmupRuleTest {
    private static final double STEADY = 7.3;

    /** A kernel-like warm-up: 250 µs above a 7.3 µs steady state, falling with a time constant of 3,000 tasks. */
    private static double slowDrift(long task) {
        return STEADY + 250 * Math.exp(-task / 3000.0);
    }

    /** Feeds the rule batch medians of {@code cost} (taken at each batch's middle task) until it settles. */
    private static WarmupRule feed(LongToDoubleFunction cost, long maxTasks, Random noise) {
        WarmupRule rule = new WarmupRule();
        while (!rule.settled() && rule.tasks() < maxTasks) {
            int size = rule.nextBatch();
            double median = cost.applyAsDouble(rule.tasks() + size / 2);
            rule.add(size, noise == null ? median : median * (0.95 + 0.1 * noise.nextDouble()));
        }
        return rule;
    }

    @Test
    void neighbouringBatchesOfTheOldRuleAgreeWhileStillFarAboveTheSteadyState() {
        // The rule this one replaced: 300-task batches, stop when two neighbours are within 20%.
        long sent = 300;
        double previous = slowDrift(150);
        while (true) {
            double median = slowDrift(sent + 150);
            sent += 300;
            if (sent >= 3000 && Math.abs(median - previous) <= 0.2 * Math.max(median, previous)) {
                break;
            }
            previous = median;
        }
        assertEquals(3000, sent);
        assertTrue(slowDrift(sent) > 10 * STEADY, "the synthetic drift must fool the neighbour rule");
    }

    @Test
    void aSlowDriftIsFollowedToItsSteadyState() {
        WarmupRule rule = feed(WarmupRuleTest::slowDrift, 1_000_000, null);
        assertTrue(rule.settled());
        double reached = slowDrift(rule.tasks());
        assertTrue(reached <= 1.2 * STEADY, "settled at " + reached + " µs per task, steady state " + STEADY);
    }

    @Test
    void aSlowDriftWithNoiseIsFollowedToItsSteadyState() {
        for (long seed = 1; seed <= 20; seed++) {
            WarmupRule rule = feed(WarmupRuleTest::slowDrift, 1_000_000, new Random(seed));
            assertTrue(rule.settled(), "seed " + seed);
            double reached = slowDrift(rule.tasks());
            assertTrue(reached <= 1.5 * STEADY, "seed " + seed + ": settled at " + reached + " µs per task");
        }
    }

    @Test
    void aPowerLawThatNeverFlattensNeverSettles() {
        // falls by about 30% per doubling of the tasks sent, for ever
        WarmupRule rule = feed(task -> 6900 * Math.pow(task, -0.53), 500_000, null);
        assertFalse(rule.settled());
        assertTrue(rule.tasks() >= 500_000);
    }

    @Test
    void thePlateauOfAKernelPoolIsNotTakenForItsSteadyState() {
        // measured in a notebook kernel: about 88 µs per task up to 14,000 tasks, then 13 µs
        WarmupRule rule = feed(task -> task < 14_000 ? 88 : 13, 1_000_000, null);
        assertTrue(rule.settled());
        assertTrue(rule.tasks() > 14_000, "settled after " + rule.tasks() + " tasks, on the plateau");
    }

    @Test
    void aFlatSequenceSettlesOnceEnoughTasksWereSent() {
        WarmupRule rule = feed(task -> 10, 1_000_000, null);
        assertTrue(rule.settled());
        assertEquals(300 + 600 + 1200 + 2400 + 4 * 4800, rule.tasks()); // the first window past MIN_TASKS
        assertEquals(8, rule.batches());
    }

    @Test
    void batchesDoubleUpToTheLargest() {
        WarmupRule rule = new WarmupRule();
        int[] expected = {300, 600, 1200, 2400, 4800, 4800, 4800};
        double alternating = 1;
        for (int size : expected) {
            assertEquals(size, rule.nextBatch());
            rule.add(size, alternating);
            alternating = alternating == 1 ? 2 : 1; // never settles
        }
        assertFalse(rule.settled());
    }

    @Test
    void aRiseAfterAFallIsNotSettled() {
        WarmupRule rule = new WarmupRule();
        double[] medians = {100, 50, 10, 10, 10, 14, 10, 10, 10};
        boolean[] settledAfter = {false, false, false, false, false, false, false, false, true};
        for (int i = 0; i < medians.length; i++) {
            assertEquals(settledAfter[i], rule.add(rule.nextBatch(), medians[i]), "after batch " + i);
        }
    }

    @Test
    void badBatchesAreRefused() {
        WarmupRule rule = new WarmupRule();
        assertThrows(IllegalArgumentException.class, () -> rule.add(0, 1));
        assertThrows(IllegalArgumentException.class, () -> rule.add(10, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> rule.add(10, 0));
        assertEquals(0, rule.tasks());
    }
}
