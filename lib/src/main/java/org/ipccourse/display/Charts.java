package org.ipccourse.display;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.ipccourse.measure.Harness;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Turns the measurement tables of {@code org.ipccourse.measure} into XChart charts that render
 * inline in a notebook: grouped bars, lines on log axes, the speedup curve of a harness sweep with
 * its crossover marked, and the three copies of an IPC measurement as stacked bars. Each method
 * reads columns by name, so any table with those columns works, and returns the chart for the
 * caller to style further or simply to show as the cell's value.
 *
 * <pre>{@code
 * Table sweep = Harness.over(List.of(1.0, 10.0, 100.0)).variant(...).run();
 * Charts.speedup(sweep);                      // speedup per variant, log x, crossover marked
 * Charts.threeCopies(IpcCost.of(pool).measure(payloads));
 * Charts.groupedBars(sweep, "parameter", "variant", "median_ms");
 * }</pre>
 *
 * <p>Costs: building a chart copies the columns it plots; rendering happens when the notebook
 * displays it (a PNG of {@value #WIDTH} x {@value #HEIGHT} pixels, some tens of milliseconds).
 */
public final class Charts {
    static final int WIDTH = 800;
    static final int HEIGHT = 450;

    private Charts() {
    }

    /**
     * One group of bars per distinct value of {@code category}, one bar per distinct value of
     * {@code series}, bar height from the numeric column {@code value}.
     */
    public static CategoryChart groupedBars(Table table, String category, String series, String value) {
        NumericColumn<?> values = numeric(table, value);
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(table.name()).xAxisTitle(category).yAxisTitle(value).build();
        List<String> categories = distinct(table.column(category));
        for (Map.Entry<String, List<Integer>> s : rowsBy(table.column(series)).entrySet()) {
            List<Double> heights = new ArrayList<>();
            for (String c : categories) {
                heights.add(s.getValue().stream()
                        .filter(row -> table.column(category).getString(row).equals(c))
                        .mapToDouble(values::getDouble).findFirst().orElse(0));
            }
            chart.addSeries(s.getKey(), categories, heights);
        }
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        return chart;
    }

    /**
     * One line per distinct value of {@code series}: numeric {@code x} against numeric {@code y},
     * sorted by x, with logarithmic axes where asked.
     */
    public static XYChart lines(Table table, String x, String series, String y, boolean logX,
            boolean logY) {
        NumericColumn<?> xs = numeric(table, x);
        NumericColumn<?> ys = numeric(table, y);
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(table.name())
                .xAxisTitle(x + (logX ? " (log)" : "")).yAxisTitle(y + (logY ? " (log)" : "")).build();
        for (Map.Entry<String, List<Integer>> s : rowsBy(table.column(series)).entrySet()) {
            List<Integer> rows = new ArrayList<>(s.getValue());
            rows.sort((a, b) -> Double.compare(xs.getDouble(a), xs.getDouble(b)));
            List<Double> px = new ArrayList<>();
            List<Double> py = new ArrayList<>();
            for (int row : rows) {
                px.add(xs.getDouble(row));
                py.add(ys.getDouble(row));
            }
            chart.addSeries(s.getKey(), px, py).setMarker(SeriesMarkers.CIRCLE);
        }
        chart.getStyler().setXAxisLogarithmic(logX);
        chart.getStyler().setYAxisLogarithmic(logY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        return chart;
    }

    /**
     * A harness sweep as speedup against the parameter (log x), one line per variant except the
     * baseline, a dashed break-even line at 1, and each variant's crossover (see
     * {@link Harness#crossover(Table, String)}) marked with its value in the legend.
     */
    public static XYChart speedup(Table sweep) {
        Table others = sweep.where(sweep.stringColumn("verdict").isNotEqualTo("baseline"));
        XYChart chart = lines(others, "parameter", "variant", "speedup", true, false);
        chart.setYAxisTitle("speedup over the baseline");
        NumericColumn<?> xs = numeric(sweep, "parameter");
        double min = xs.min();
        double max = xs.max();
        XYSeries even = chart.addSeries("break-even", new double[] {min, max}, new double[] {1, 1});
        even.setMarker(SeriesMarkers.NONE);
        even.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.DASH_DASH);
        for (String variant : distinct(others.column("variant"))) {
            OptionalDouble x = Harness.crossover(sweep, variant);
            if (x.isPresent()) {
                // at the smallest parameter the crossing itself was not seen: it lies at or below
                String relation = x.getAsDouble() <= min ? " ≤ " : " ≈ ";
                markCrossover(chart, x.getAsDouble(), 1.0, variant + " crossover" + relation
                        + String.format("%.3g", x.getAsDouble()));
            }
        }
        return chart;
    }

    /** Adds one large marker at ({@code x}, {@code y}) labelled in the legend. */
    public static XYChart markCrossover(XYChart chart, double x, double y, String label) {
        XYSeries point = chart.addSeries(label, new double[] {x}, new double[] {y});
        point.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        point.setMarker(SeriesMarkers.DIAMOND);
        chart.getStyler().setMarkerSize(Math.max(chart.getStyler().getMarkerSize(), 10));
        return chart;
    }

    /**
     * An IPC measurement as one stacked bar per row: serialize, pipe and deserialize time
     * (columns {@code serialize_ms, pipe_ms, deserialize_ms}); bars are labelled by
     * {@code payload}, plus codec and transport when the table mixes them.
     */
    public static CategoryChart threeCopies(Table ipcCost) {
        List<String> labels = new ArrayList<>();
        boolean mixed = ipcCost.column("codec").countUnique() > 1
                || ipcCost.column("transport").countUnique() > 1;
        for (int row = 0; row < ipcCost.rowCount(); row++) {
            String label = ipcCost.stringColumn("payload").get(row);
            if (mixed) {
                label += " / " + ipcCost.stringColumn("codec").get(row) + " / "
                        + ipcCost.stringColumn("transport").get(row).toLowerCase().replace('_', ' ');
            }
            labels.add(label);
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("The three copies").xAxisTitle("payload").yAxisTitle("median ms").build();
        for (String[] part : new String[][] {{"serialize", "serialize_ms"}, {"pipe", "pipe_ms"},
                {"deserialize", "deserialize_ms"}}) {
            NumericColumn<?> col = numeric(ipcCost, part[1]);
            List<Double> ms = new ArrayList<>();
            for (int row = 0; row < ipcCost.rowCount(); row++) {
                ms.add(col.getDouble(row));
            }
            chart.addSeries(part[0], labels, ms);
        }
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisLabelRotation(labels.size() > 3 ? 20 : 0);
        return chart;
    }

    private static NumericColumn<?> numeric(Table table, String name) {
        Column<?> column = table.column(name);
        if (column instanceof NumericColumn<?> n) {
            return n;
        }
        throw new IllegalArgumentException("column '" + name + "' of table '" + table.name()
                + "' is " + column.type() + ", not numeric; pick one of "
                + table.numericColumns().stream().map(Column::name).toList());
    }

    private static List<String> distinct(Column<?> column) {
        return new ArrayList<>(rowsBy(column).keySet());
    }

    private static Map<String, List<Integer>> rowsBy(Column<?> column) {
        Map<String, List<Integer>> rows = new LinkedHashMap<>();
        for (int row = 0; row < column.size(); row++) {
            rows.computeIfAbsent(column.getString(row), k -> new ArrayList<>()).add(row);
        }
        return rows;
    }
}
