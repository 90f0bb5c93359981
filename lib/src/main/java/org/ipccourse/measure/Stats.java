package org.ipccourse.measure;

import java.util.Arrays;

/** Median and spread of repeated timings; spread is the median absolute deviation (MAD). */
record Stats(double median, double mad, double min, double max, int n) {

    static Stats of(double[] samples) {
        double[] finite = Arrays.stream(samples).filter(Double::isFinite).sorted().toArray();
        if (finite.length == 0) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double median = medianOfSorted(finite);
        double[] deviations = Arrays.stream(finite).map(x -> Math.abs(x - median)).sorted().toArray();
        return new Stats(median, medianOfSorted(deviations), finite[0], finite[finite.length - 1],
                finite.length);
    }

    /** Spread relative to the median, in percent. */
    double spreadPercent() {
        return median == 0 ? 0 : 100 * mad / median;
    }

    private static double medianOfSorted(double[] sorted) {
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
