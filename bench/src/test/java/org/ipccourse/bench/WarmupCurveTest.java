package org.ipccourse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The curve's printed figures on synthetic times. */
class WarmupCurveTest {
    private static String print(long[] each, long[] steady) {
        PrintStream old = System.out;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            WarmupCurve.printCurve("t", each, 1000, steady);
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String[] line(String out, String name) {
        return Arrays.stream(out.split("\n")).filter(l -> l.startsWith(name + "\t")).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + name + " in\n" + out)).split("\t");
    }

    @Test
    void theSteadyStateIsAMedianOfTasksAsTheBandsAreNotAMeanThatATailDrags() {
        long[] each = new long[WarmupCurve.CURVE_TASKS];
        Arrays.fill(each, 20_000);
        long[] steady = new long[WarmupCurve.STEADY_BATCHES * WarmupCurve.STEADY_BATCH];
        for (int i = 0; i < steady.length; i++) {
            steady[i] = i % 20 == 0 ? 100_000 : 5_000; // 5% of tasks at 100 µs: a batch mean of 9.75 µs
        }
        String out = print(each, steady);
        String[] s = line(out, "t.warm_steady");
        assertEquals(5.0, Double.parseDouble(s[1]), 1e-9, out);
        assertEquals(5.0, Double.parseDouble(s[2]), 1e-9, out);
        assertEquals(5.0, Double.parseDouble(s[3]), 1e-9, out);
        assertEquals(20.0, Double.parseDouble(line(out, "t.warm_1001_2000")[1]), 1e-9, out);
        assertTrue(Double.parseDouble(line(out, "t.warm_1001_2000")[1]) / Double.parseDouble(s[1]) > 2,
                "the band's ratio to the steady state reads 4x, not the 2x a batch mean would give");
    }

    @Test
    void aSteadyStateOfPartBatchesIsRefused() {
        long[] each = new long[WarmupCurve.CURVE_TASKS];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WarmupCurve.printCurve("t", each, 1, new long[WarmupCurve.STEADY_BATCH + 1]));
        assertTrue(e.getMessage().contains("whole batches"), e.getMessage());
    }
}
