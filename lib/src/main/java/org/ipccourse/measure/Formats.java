package org.ipccourse.measure;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * How the course prints numbers: times, sizes and rates with three significant digits (never
 * rounding away the integer part), {@code speedup} columns with two decimals, percentages with
 * none. {@link #apply(Table)} sets these as print formatters on a table's columns by name; only
 * the printed text changes ({@code getString}, {@code print()}, the notebook's HTML), the stored
 * doubles keep every digit. {@link #number(double)} formats one number the same way for a sentence.
 *
 * <p>Costs: a {@code BigDecimal} rounding per printed number.
 */
public final class Formats {
    private Formats() {
    }

    /** {@code v} with three significant digits, as the course's tables print it: 0.000123, 12.3, 1235. */
    public static String number(double v) {
        return new SignificantDigits(3).format(v);
    }

    /**
     * Where {@code measured} lies against a range the lecture gives, in words: "within the
     * lecture's range", or below or above it by a computed factor.
     */
    public static String againstRange(double measured, double low, double high) {
        if (measured < low) {
            return "below the lecture's range, " + number(low / measured) + "x under its low end";
        }
        if (measured > high) {
            return "above the lecture's range, " + number(measured / high) + "x over its high end";
        }
        return "within the lecture's range";
    }

    /** Sets a print formatter on every double column of {@code table}; returns the table. */
    public static Table apply(Table table) {
        for (Column<?> column : table.columns()) {
            if (column instanceof DoubleColumn d) {
                d.setPrintFormatter(formatterFor(d.name()));
            }
        }
        return table;
    }

    static NumberColumnFormatter formatterFor(String column) {
        if (column.startsWith("speedup") || column.endsWith("_ratio")) {
            return new NumberColumnFormatter(new DecimalFormat("0.00"));
        }
        if (column.endsWith("_pct")) {
            return new NumberColumnFormatter(new DecimalFormat("0"));
        }
        return new NumberColumnFormatter(new SignificantDigits(3));
    }

    /**
     * {@code digits} significant digits, but never rounds away the integer part: 0.000123457 prints
     * 0.000123, 0.5897 prints 0.59, 12.345 prints 12.3, 1234.6 prints 1235.
     */
    static final class SignificantDigits extends NumberFormat {
        private final int digits;

        SignificantDigits(int digits) {
            this.digits = digits;
        }

        @Override
        public StringBuffer format(double v, StringBuffer out, FieldPosition pos) {
            if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
                return out.append(v == 0 ? "0" : String.valueOf(v));
            }
            BigDecimal rounded = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (rounded.precision() - rounded.scale() > digits) { // more integer digits than asked
                rounded = new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN);
            }
            return out.append(rounded.stripTrailingZeros().toPlainString());
        }

        @Override
        public StringBuffer format(long v, StringBuffer out, FieldPosition pos) {
            return out.append(v);
        }

        @Override
        public Number parse(String text, ParsePosition pos) {
            throw new UnsupportedOperationException("display only");
        }
    }
}
