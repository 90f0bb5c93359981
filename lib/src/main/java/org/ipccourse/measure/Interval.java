package org.ipccourse.measure;

import java.util.Arrays;

/**
 * A median with a distribution-free confidence interval from order statistics: for {@code n}
 * sorted samples, the interval runs from the {@code k}-th smallest to the {@code k}-th largest,
 * with the largest {@code k} whose coverage, {@code 1 - 2 P(Binomial(n, 1/2) < k)}, is still at
 * least 95%. Five samples cannot reach 95% (their full range covers 93.75%), six can (96.9%), so
 * {@link #confidence()} says what the interval really covers. No assumption about the shape of the
 * timing distribution is made; the interval is only as wide as the samples themselves spread.
 *
 * <p>Costs: one sort of the samples.
 *
 * @param median the sample median (NaN without samples)
 * @param low lower end of the interval
 * @param high upper end of the interval
 * @param confidence the probability that the interval covers the true median (0 without samples)
 * @param n how many finite samples it was computed from
 */
public record Interval(double median, double low, double high, double confidence, int n) {
    /** The coverage this package asks of an interval before it states a verdict. */
    public static final double CONFIDENCE = 0.95;

    /** Median and order-statistics interval of {@code samples}; NaN and infinities are ignored. */
    public static Interval ofMedian(double[] samples) {
        double[] s = Arrays.stream(samples).filter(Double::isFinite).sorted().toArray();
        int n = s.length;
        if (n == 0) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN, 0, 0);
        }
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        // cumulative binomial P(X <= j) for X ~ Binomial(n, 1/2), in log space to stay finite
        int k = 0;
        double below = 0; // P(X <= k - 1)
        double cumulative = 0;
        for (int j = 0; j < n / 2; j++) {
            cumulative += Math.exp(logChoose(n, j) - n * Math.log(2));
            if (cumulative > (1 - CONFIDENCE) / 2) {
                break;
            }
            k = j + 1;
            below = cumulative;
        }
        if (k == 0) {
            return new Interval(median, s[0], s[n - 1], 1 - 2 * Math.pow(0.5, n), n);
        }
        return new Interval(median, s[k - 1], s[n - k], 1 - 2 * below, n);
    }

    /** True when the interval covers at least {@link #CONFIDENCE}. */
    public boolean confident() {
        return confidence >= CONFIDENCE;
    }

    /** Where one interval lies against another ({@link #against}). */
    public enum Order {
        /** Wholly below the other: its high end under the other's low end. */
        BELOW,
        /** Wholly above the other. */
        ABOVE,
        /** The two overlap, or either covers less than {@link #CONFIDENCE}: the medians cannot be told apart. */
        CANNOT_TELL
    }

    /**
     * Whether this median is told apart from {@code other}'s: {@link Order#BELOW} or {@link
     * Order#ABOVE} only when both intervals are {@link #confident()} and do not overlap (a
     * conservative test: two medians whose intervals overlap may still differ), else {@link
     * Order#CANNOT_TELL}. For a sentence that depends on which of two measured things is faster.
     */
    public Order against(Interval other) {
        if (!confident() || !other.confident()) {
            return Order.CANNOT_TELL;
        }
        if (high < other.low) {
            return Order.BELOW;
        }
        return low > other.high ? Order.ABOVE : Order.CANNOT_TELL;
    }

    /** Interval width over the median, in percent (0 for a zero median). */
    public double widthPercent() {
        return median == 0 || Double.isNaN(median) ? 0 : 100 * (high - low) / Math.abs(median);
    }

    private static double logChoose(int n, int k) {
        double r = 0;
        for (int i = 1; i <= k; i++) {
            r += Math.log(n - k + i) - Math.log(i);
        }
        return r;
    }

    @Override
    public String toString() {
        return String.format("%s [%s, %s] (%.0f%%, n=%d)", Formats.number(median), Formats.number(low),
                Formats.number(high), 100 * confidence, n);
    }
}
