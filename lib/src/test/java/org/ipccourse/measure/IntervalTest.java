package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IntervalTest {
    @Test
    void sixSamplesGiveTheirFullRangeAtNinetySevenPercent() {
        Interval i = Interval.ofMedian(new double[] {5, 1, 4, 2, 6, 3});
        assertEquals(3.5, i.median());
        assertEquals(1, i.low());
        assertEquals(6, i.high());
        assertEquals(1 - 2 / 64.0, i.confidence(), 1e-12);
        assertTrue(i.confident());
    }

    @Test
    void fiveSamplesCannotReachNinetyFivePercent() {
        Interval i = Interval.ofMedian(new double[] {1, 2, 3, 4, 5});
        assertEquals(0.9375, i.confidence(), 1e-12);
        assertFalse(i.confident());
    }

    @Test
    void moreSamplesDropTheExtremes() {
        double[] s = new double[20];
        for (int k = 0; k < 20; k++) {
            s[k] = k + 1;
        }
        s[19] = 1e9; // one wild outlier does not move the interval
        Interval i = Interval.ofMedian(s);
        // Binomial(20, 1/2): P(X <= 5) = 0.0207 <= 0.025 < P(X <= 6): 6th smallest to 6th largest
        assertEquals(6, i.low());
        assertEquals(15, i.high());
        assertEquals(1 - 2 * 0.020695, i.confidence(), 1e-5);
    }

    @Test
    void nonFiniteSamplesAreIgnoredAndNoSamplesGiveNoInterval() {
        assertEquals(3, Interval.ofMedian(new double[] {Double.NaN, 1, 2, Double.POSITIVE_INFINITY, 3}).n());
        Interval none = Interval.ofMedian(new double[] {});
        assertTrue(Double.isNaN(none.median()));
        assertFalse(none.confident());
    }

    @Test
    void verdictsNeedTheWholeIntervalPastTheThreshold() {
        assertEquals(Verdict.FASTER, Verdict.of(new Interval(1.5, 1.2, 1.8, 0.97, 6)));
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(new Interval(1.5, 1.19, 1.8, 0.97, 6)));
        assertEquals(Verdict.SLOWER, Verdict.of(new Interval(0.5, 0.4, 1 / 1.2, 0.97, 6)));
        assertEquals(Verdict.NO_CLEAR_GAIN, Verdict.of(new Interval(1.0, 0.9, 1.1, 0.97, 6)));
        assertEquals(Verdict.INCONCLUSIVE, Verdict.of(new Interval(1.0, 0.5, 1.1, 0.97, 6)));
        assertTrue(Verdict.FASTER.contradicts(Verdict.SLOWER));
        assertTrue(Verdict.FASTER.contradicts(Verdict.NO_CLEAR_GAIN));
        assertFalse(Verdict.FASTER.contradicts(Verdict.INCONCLUSIVE));
        assertFalse(Verdict.FASTER.contradicts(Verdict.FASTER));
    }

    @Test
    void intervalsAreToldApartOnlyWhenBothAreConfidentAndDisjoint() {
        Interval low = Interval.ofMedian(new double[] {1, 2, 3, 4, 5, 6});
        Interval high = Interval.ofMedian(new double[] {7, 8, 9, 10, 11, 12});
        Interval overlapping = Interval.ofMedian(new double[] {6, 7, 8, 9, 10, 11});
        Interval fewSamples = Interval.ofMedian(new double[] {20, 21, 22, 23, 24});
        assertEquals(Interval.Order.BELOW, low.against(high));
        assertEquals(Interval.Order.ABOVE, high.against(low));
        assertEquals(Interval.Order.CANNOT_TELL, low.against(overlapping)); // 6 lies in both
        assertEquals(Interval.Order.CANNOT_TELL, low.against(fewSamples)); // 93.75% is not enough
        assertEquals(Interval.Order.CANNOT_TELL, low.against(Interval.ofMedian(new double[0])));
    }
}
