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
    void speedupChartMarksTheCrossoverBetweenTheMeasuredParameters() throws Exception {
        XYChart chart = Charts.speedup(sweep());
        assertTrue(chart.getSeriesMap().containsKey("process pool"));
        assertTrue(chart.getSeriesMap().containsKey("break-even"));
        String mark = chart.getSeriesMap().keySet().stream().filter(k -> k.contains("crossover"))
                .findFirst().orElseThrow();
        double x = chart.getSeriesMap().get(mark).getXData()[0];
        assertTrue(x > 1 && x < 10, "crossover between 1 and 10, got " + x);
        assertRenders(chart);
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
