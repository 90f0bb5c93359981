package org.ipccourse.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SteadyStateTest {
    @Test
    void theCompilersCpuTimeIsReadAndOnlyGrows() {
        long before = SteadyState.compilerMillis();
        double sink = 0;
        for (int i = 0; i < 2_000_000; i++) { // enough calls for the JIT to compile something
            sink += Math.sqrt(i) + String.valueOf(i).length();
        }
        long after = SteadyState.compilerMillis();
        assertTrue(before >= 0, "no compiler time read from /proc: " + before);
        assertTrue(sink > 0);
        assertTrue(after >= before, before + " ms, then " + after + " ms");
    }

    @Test
    @Timeout(30)
    void aBatchTimeThatNoLongerChangesSettlesOnceTheCompilersAreQuiet() {
        long start = System.nanoTime();
        boolean settled = SteadyState.warmUp("test", () -> {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return 1000;
        }, 1000);
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(settled, "a constant batch did not settle");
        assertTrue(seconds >= SteadyState.MIN_NANOS / 1e9, "settled after " + seconds + " s, before the minimum");
    }
}
