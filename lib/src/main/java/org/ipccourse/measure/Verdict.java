package org.ipccourse.measure;

/**
 * What a measurement says about one variant against its baseline. A verdict other than
 * {@link #INCONCLUSIVE} and {@link #IMPLAUSIBLE} is given only when the 95% interval of the
 * speedup (see {@link Interval}) lies wholly on one side of {@link #WINS} or of its inverse:
 * {@link #FASTER} when the whole interval is at or above {@code WINS}, {@link #SLOWER} when it is
 * at or below {@code 1 / WINS}, {@link #NO_CLEAR_GAIN} when it lies strictly between the two.
 * Every notebook of the course judges "wins" by this one threshold.
 */
public enum Verdict {
    /** The variant every other is compared with. */
    BASELINE("baseline"),
    /** The whole interval of the speedup is at or above {@link #WINS}. */
    FASTER("faster"),
    /** The whole interval of the speedup is at or below {@code 1 / WINS}. */
    SLOWER("slower"),
    /** The whole interval lies between {@code 1 / WINS} and {@code WINS}: no gain worth a pool. */
    NO_CLEAR_GAIN("no clear gain"),
    /** The interval crosses a threshold, or the run could not support a verdict; the row says why. */
    INCONCLUSIVE("inconclusive"),
    /** The speedup exceeds what the usable cores allow (x1.1): a measuring error, not a result. */
    IMPLAUSIBLE("implausible");

    /**
     * The speedup a variant must reach, with its whole 95% interval, to count as a win: 1.2, so a
     * gain smaller than a fifth is never called a win on a noisy machine.
     */
    public static final double WINS = 1.2;

    /** The margin above the usable cores from which a speedup is flagged as implausible. */
    public static final double IMPLAUSIBLE_ABOVE_CORES = 1.1;

    private final String label;

    Verdict(String label) {
        this.label = label;
    }

    /** The verdict for a speedup interval, before the checks of plausibility and load. */
    static Verdict of(Interval speedup) {
        if (speedup.low() >= WINS) {
            return FASTER;
        }
        if (speedup.high() <= 1 / WINS) {
            return SLOWER;
        }
        if (speedup.low() > 1 / WINS && speedup.high() < WINS) {
            return NO_CLEAR_GAIN;
        }
        return INCONCLUSIVE;
    }

    /** True for {@link #FASTER}, {@link #SLOWER} and {@link #NO_CLEAR_GAIN}: a claim was made. */
    public boolean conclusive() {
        return this == FASTER || this == SLOWER || this == NO_CLEAR_GAIN;
    }

    /**
     * True when both are claims and they cannot both be true of the same variant on the same
     * machine: faster against slower or against no clear gain, slower against no clear gain.
     */
    public boolean contradicts(Verdict other) {
        return conclusive() && other.conclusive() && this != other;
    }

    /** The word printed in tables and verdict lines ({@code faster}, {@code no clear gain}, ...). */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
