package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class FormatsTest {
    @Test
    void timesPrintWithThreeSignificantDigitsButKeepTheirIntegerPart() {
        Formats.SignificantDigits three = new Formats.SignificantDigits(3);
        assertEquals("0.59", three.format(0.5896999999));
        assertEquals("0.000123", three.format(0.000123456));
        assertEquals("12.3", three.format(12.345));
        assertEquals("100", three.format(99.96));
        assertEquals("1235", three.format(1234.6));
        assertEquals("-2.5", three.format(-2.5));
        assertEquals("0", three.format(0.0));
    }

    @Test
    void aFigureJustOutsideTheLecturesRangeSaysByHowMuchWithoutRoundingToOne() {
        assertEquals("below the lecture's range, 1.03x under its low end", Formats.againstRange(48.7, 50, 200));
        assertEquals("above the lecture's range, 2.5x over its high end", Formats.againstRange(50, 5, 20));
        assertEquals("within the lecture's range", Formats.againstRange(50, 50, 200));
    }

    @Test
    void harnessTablePrintsRoundedNumbersAndKeepsEveryDigitStored() {
        Table t = Harness.over(List.of(0.123456, 2.0)).variant("sequential", p -> Thread.sleep(1))
                .variant("other", p -> Thread.sleep(2)).warmup(0).repetitions(3).run().table();
        double median = t.doubleColumn("median_ms").get(0);
        assertEquals(new Formats.SignificantDigits(3).format(median), t.doubleColumn("median_ms").getString(0));
        assertEquals("0.123", t.doubleColumn("parameter").getString(0));
        assertEquals(0.123456, t.doubleColumn("parameter").get(0), "the stored value is not rounded");
        assertEquals("1.00", t.doubleColumn("speedup").getString(0));
        assertEquals(String.format("%.2f", t.doubleColumn("speedup_low").get(0)), t.doubleColumn("speedup_low").getString(0));
        assertEquals(String.format("%.0f", t.doubleColumn("spread_pct").get(2)), t.doubleColumn("spread_pct").getString(2));
        Table filtered = t.where(t.stringColumn("variant").isEqualTo("sequential")).copy();
        assertEquals(String.format("%.2f", filtered.doubleColumn("speedup").get(0)),
                filtered.doubleColumn("speedup").getString(0), "formatters survive where() and copy()");
    }

    @Test
    void ipcCostTablePrintsRoundedNumbers() {
        Stats s = new Stats(0.5896999999, 0.0123456, 0.5, 0.7, 5);
        Table t = Row.table(List.of(new Row("p", Codec.JAVA, IpcCost.Transport.PIPE, 1000, 1200,
                s, s, s, s, s, s)));
        assertEquals("0.59", t.doubleColumn("total_ms").getString(0));
        assertEquals("0.0123", t.doubleColumn("total_mad_ms").getString(0));
        assertEquals("2", t.doubleColumn("spread_pct").getString(0));
        assertEquals(0.5896999999, t.doubleColumn("total_ms").get(0));
    }
}
