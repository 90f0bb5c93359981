package org.ipccourse.display;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class ChartsTest {
    static Table sweep() {
        return Table.create("Example 26.3",
                StringColumn.create("variant", "sequential", "sequential", "sequential",
                        "process pool", "process pool", "process pool"),
                DoubleColumn.create("parameter", 1, 10, 100, 1, 10, 100),
                DoubleColumn.create("median_ms", 8, 80, 800, 40, 60, 420),
                DoubleColumn.create("speedup", 1, 1, 1, 0.2, 1.33, 1.9),
                StringColumn.create("verdict", "baseline", "baseline", "baseline", "slower",
                        "faster", "faster"));
    }

    static Table ipc() {
        return Table.create("IPC cost",
                StringColumn.create("payload", "double[]", "double[]"),
                StringColumn.create("codec", "JAVA", "RAW"),
                StringColumn.create("transport", "PIPE", "SHARED_MEMORY"),
                DoubleColumn.create("serialize_ms", 20, 2),
                DoubleColumn.create("pipe_ms", 80, 0.3),
                DoubleColumn.create("deserialize_ms", 9, 0.1));
    }

    @Test
    void speedupChartIsLogLogWithBreakEvenIdealAndCrossoverAndLabelledDecades() throws Exception {
        XYChart chart = Charts.speedup(sweep(), java.util.Map.of("process pool", 3.2), 2);
        assertTrue(chart.getSeriesMap().containsKey("process pool"));
        assertTrue(chart.getSeriesMap().containsKey("break-even (1x)"));
        assertTrue(chart.getSeriesMap().keySet().stream().anyMatch(k -> k.startsWith("ideal (2x")));
        assertTrue(!chart.getSeriesMap().containsKey("sequential"), "the baseline is not drawn");
        String mark = chart.getSeriesMap().keySet().stream().filter(k -> k.contains("breaks even"))
                .findFirst().orElseThrow();
        assertEquals(3.2, chart.getSeriesMap().get(mark).getXData()[0]);
        assertTrue(chart.getStyler().isXAxisLogarithmic() && chart.getStyler().isYAxisLogarithmic());
        assertEquals(0.1, chart.getStyler().getYAxisMin(), 1e-12, "0.2 .. 2 widened to whole decades");
        assertEquals(10.0, chart.getStyler().getYAxisMax(), 1e-12);
        assertEquals(org.knowm.xchart.style.Styler.LegendPosition.OutsideS, chart.getStyler().getLegendPosition(),
                "the legend never covers the plot");
        assertRenders(chart);
    }

    @Test
    void speedupBarsAreLogScaledWithBreakEvenAndIdealAndRender() throws Exception {
        Table t = Table.create("Example 26.1",
                StringColumn.create("scenario", "a", "a", "a", "b", "b", "b"),
                StringColumn.create("variant", "sequential", "thread pool", "process pool",
                        "sequential", "thread pool", "process pool"),
                DoubleColumn.create("speedup", 1, 1.9, 0.003, 1, 1.2, 1.7),
                StringColumn.create("verdict", "baseline", "faster", "slower", "baseline", "faster", "faster"));
        CategoryChart chart = Charts.speedupBars(t, "scenario", 2);
        assertTrue(chart.getStyler().isYAxisLogarithmic());
        assertEquals(0.001, chart.getStyler().getYAxisMin(), 1e-12, "0.003 stays visible");
        assertTrue(chart.getSeriesMap().containsKey("break-even (1x)"));
        assertTrue(!chart.getSeriesMap().containsKey("sequential"));
        assertEquals(Charts.THREADS, chart.getSeriesMap().get("thread pool").getFillColor());
        assertRenders(chart);
    }

    @Test
    void aSpeedupBarJustAboveADecadeKeepsAVisibleHeight() {
        Table t = Table.create("Example 26.1",
                StringColumn.create("scenario", "a", "a"),
                StringColumn.create("variant", "sequential", "process pool"),
                DoubleColumn.create("speedup", 1, 0.00104),
                StringColumn.create("verdict", "baseline", "slower"));
        CategoryChart chart = Charts.speedupBars(t, "scenario", 2);
        assertEquals(0.0001, chart.getStyler().getYAxisMin(), 1e-15, "0.00104 would be a bar of no height from 0.001");
    }

    @Test
    void theSameKindOfVariantHasTheSameColourInEveryChart() {
        XYChart lines = Charts.lines(sweep(), "parameter", "variant", "median_ms", true, true);
        assertEquals(Charts.PROCESSES, lines.getSeriesMap().get("process pool").getLineColor());
        assertEquals(Charts.SEQUENTIAL, lines.getSeriesMap().get("sequential").getLineColor());
        CategoryChart bars = Charts.groupedBars(sweep(), "parameter", "variant", "median_ms");
        assertEquals(Charts.PROCESSES, bars.getSeriesMap().get("process pool").getFillColor());
        assertEquals(Charts.THREADS, Charts.colourOf("2 threads"));
        assertEquals(Charts.PROCESSES, Charts.colourOf("2 worker JVMs"));
        assertEquals(null, Charts.colourOf("serialize"));
    }

    @Test
    void threeCopiesStacksSerializePipeAndDeserializePerRow() throws Exception {
        CategoryChart chart = Charts.threeCopies(ipc());
        assertEquals(List.of("serialize", "pipe", "deserialize"),
                List.copyOf(chart.getSeriesMap().keySet()));
        assertTrue(chart.getStyler().isStacked());
        assertEquals("double[] / RAW / shared memory",
                chart.getSeriesMap().get("pipe").getXData().stream().toList().get(1));
        assertRenders(chart);
    }

    @Test
    void groupedBarsAndLogLinesRender() throws Exception {
        assertRenders(Charts.groupedBars(sweep(), "parameter", "variant", "median_ms"));
        XYChart lines = Charts.lines(sweep(), "parameter", "variant", "median_ms", true, true);
        assertTrue(lines.getStyler().isXAxisLogarithmic() && lines.getStyler().isYAxisLogarithmic());
        assertEquals(1.0, lines.getStyler().getXAxisMin(), 1e-12);
        assertEquals(1000.0, lines.getStyler().getYAxisMax(), 1e-12, "800 rounds up to the next decade");
        assertRenders(lines);
    }

    @Test
    void aTextColumnWhereANumberIsNeededIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Charts.lines(sweep(), "variant", "variant", "speedup", false, false));
        assertTrue(e.getMessage().contains("'variant'"), e.getMessage());
    }

    private static void assertRenders(Chart<?, ?> chart) throws Exception {
        byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        assertTrue(png.length > 1000, "a real PNG, got " + png.length + " bytes");
    }
}
