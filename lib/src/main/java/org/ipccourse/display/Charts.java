package org.ipccourse.display;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.awt.Color;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.internal.series.Series;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Turns measurement tables into XChart charts that render inline in a notebook: grouped bars,
 * lines on log axes, the speedup curve of a sweep with break-even and ideal lines, and the three
 * copies of an IPC measurement as stacked bars. Each method reads columns by name, so any table
 * with those columns works, and returns the chart for the caller to style further or simply to
 * show as the cell's value.
 *
 * <p>Every chart of the course reads the same way, because {@link #readable(Chart)} runs before
 * any chart is drawn in a notebook (the display extension calls it): sequential, thread-pool and
 * process-pool series have the same colour in every chart ({@link #colourOf(String)}); a
 * logarithmic axis spans whole decades, so it always carries labelled ticks; the legend sits
 * below the plot, never on it.
 *
 * <pre>{@code
 * Charts.speedup(table, Map.of("process pool", 2.1), 2);  // log-log, lines at 1 and at 2
 * Charts.threeCopies(IpcCost.of(pool).measure(payloads));
 * Charts.groupedBars(table, "parameter", "variant", "median_ms");
 * }</pre>
 *
 * <p>Costs: building a chart copies the columns it plots; rendering happens when the notebook
 * displays it (a PNG of {@value #WIDTH} x {@value #HEIGHT} pixels, some tens of milliseconds).
 */
public final class Charts {
    static final int WIDTH = 800;
    static final int HEIGHT = 450;

    /** The loop in the caller's thread: dark grey. */
    public static final Color SEQUENTIAL = new Color(0x44, 0x44, 0x44);
    /** Thread pools: blue. */
    public static final Color THREADS = new Color(0x1f, 0x77, 0xb4);
    /** Process pools and worker JVMs: orange. */
    public static final Color PROCESSES = new Color(0xe6, 0x6a, 0x00);
    /** Series that are none of the three, in order of appearance. */
    private static final Color[] OTHERS = {new Color(0x2c, 0xa0, 0x2c), new Color(0x94, 0x67, 0xbd),
        new Color(0x8c, 0x56, 0x4b), new Color(0x17, 0xbe, 0xcf), new Color(0xbc, 0xbd, 0x22)};
    /** Reference lines (break-even, ideal): light grey. */
    private static final Color REFERENCE = new Color(0x99, 0x99, 0x99);

    private Charts() {
    }

    /**
     * The course's colour for a series name: {@link #SEQUENTIAL} for names with "sequential" or
     * "loop", {@link #THREADS} for "thread", {@link #PROCESSES} for "process" or "worker"; null for
     * anything else (the chart then picks from a palette without those three).
     */
    public static Color colourOf(String series) {
        String s = series.toLowerCase(java.util.Locale.ROOT);
        if (s.contains("process") || s.contains("worker")) {
            return PROCESSES;
        }
        if (s.contains("thread")) {
            return THREADS;
        }
        if (s.contains("sequential") || s.contains("loop")) {
            return SEQUENTIAL;
        }
        return null;
    }

    /**
     * Makes {@code chart} read like every other chart of the course, in place, and returns it:
     * series coloured by {@link #colourOf(String)} (a second series of the same kind is dashed),
     * logarithmic axes widened to whole decades so that their ticks carry labels, and the legend
     * below the plot, laid out in rows. Called by the display extension before a chart is drawn;
     * safe to call more than once.
     */
    public static <C extends Chart<?, ?>> C readable(C chart) {
        Map<Color, Integer> seen = new LinkedHashMap<>();
        int other = 0;
        for (Object o : chart.getSeriesMap().values()) {
            Series series = (Series) o;
            Color c = colourOf(series.getName());
            boolean reference = series.getName().startsWith("break-even") || series.getName().startsWith("ideal");
            if (reference) {
                c = REFERENCE;
            } else if (c == null) {
                c = OTHERS[other++ % OTHERS.length];
            }
            int repeat = seen.merge(c, 1, Integer::sum) - 1;
            if (series instanceof XYSeries xy) {
                xy.setLineColor(c);
                xy.setMarkerColor(c);
                if (!reference && repeat > 0 && xy.getLineStyle() == null) {
                    xy.setLineStyle(repeat == 1 ? SeriesLines.DASH_DASH : SeriesLines.DOT_DOT);
                }
            } else if (series instanceof CategorySeries bar) {
                bar.setFillColor(repeat > 0 ? c.brighter() : c);
                bar.setLineColor(c);
            }
        }
        if (chart instanceof XYChart xy) {
            decades(xy);
        }
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        // one row when the names fit across the chart, else one entry per line: never cut off
        int across = 0;
        for (Object o : chart.getSeriesMap().values()) {
            Series series = (Series) o;
            across += series.isShowInLegend() ? 7 * series.getName().length() + 45 : 0;
        }
        styler.setLegendLayout(across < chart.getWidth() - 40 ? Styler.LegendLayout.Horizontal
                : Styler.LegendLayout.Vertical);
        styler.setLegendBorderColor(Color.WHITE);
        styler.setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    /** Widens each logarithmic axis to the decades around its data, so it has labelled ticks. */
    private static void decades(XYChart chart) {
        AxesChartStyler styler = chart.getStyler();
        double[] x = range(chart, true);
        double[] y = range(chart, false);
        if (styler.isXAxisLogarithmic() && x[0] > 0) {
            styler.setXAxisMin(Math.pow(10, Math.floor(Math.log10(x[0]) + 1e-9)));
            styler.setXAxisMax(Math.pow(10, Math.ceil(Math.log10(x[1]) - 1e-9)));
        }
        if (styler.isYAxisLogarithmic() && y[0] > 0) {
            styler.setYAxisMin(Math.pow(10, Math.floor(Math.log10(y[0]) + 1e-9)));
            styler.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(y[1]) - 1e-9)));
        }
    }

    /** Smallest positive and largest finite value of the chart's x or y data. */
    private static double[] range(XYChart chart, boolean x) {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (XYSeries s : chart.getSeriesMap().values()) {
            double[] data = x ? s.getXData() : s.getYData();
            double[] err = x ? null : s.getExtraValues();
            for (int i = 0; i < data.length; i++) {
                double lo = err == null ? data[i] : data[i] - err[i];
                double hi = err == null ? data[i] : data[i] + err[i];
                for (double v : new double[] {data[i], lo, hi}) {
                    if (Double.isFinite(v) && v > 0) {
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                }
            }
        }
        if (max == 0) {
            return new double[] {0, 0};
        }
        if (max == min) {
            max = min * 10;
        }
        return new double[] {min, max};
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
        return readable(chart);
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
        return readable(chart);
    }

    /**
     * Speedup against the parameter, both axes logarithmic: one line per variant except the
     * {@code baseline} rows (columns {@code variant}, {@code parameter}, {@code speedup},
     * {@code verdict}; the intervals stay in the table), a dashed line
     * at 1 (break-even), a dotted one at {@code ideal} (the usable cores), and each variant's
     * break-even point from {@code crossings} marked and named in the legend. Rows whose speedup
     * is missing (implausible, not a result) are left out.
     */
    public static XYChart speedup(Table sweep, Map<String, Double> crossings, int ideal) {
        Table others = sweep.where(sweep.stringColumn("variant").isNotEqualTo("baseline")
                .and(sweep.stringColumn("verdict").isNotEqualTo("baseline")));
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(sweep.name())
                .xAxisTitle("parameter (log)").yAxisTitle("speedup over the baseline (log)").build();
        NumericColumn<?> xs = numeric(sweep, "parameter");
        for (Map.Entry<String, List<Integer>> s : rowsBy(others.column("variant")).entrySet()) {
            List<double[]> points = new ArrayList<>();
            for (int row : s.getValue()) {
                double y = others.doubleColumn("speedup").getDouble(row);
                if (Double.isFinite(y) && y > 0) {
                    points.add(new double[] {numeric(others, "parameter").getDouble(row), y});
                }
            }
            if (points.isEmpty()) {
                continue;
            }
            points.sort((a, b) -> Double.compare(a[0], b[0]));
            XYSeries line = chart.addSeries(s.getKey(), points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray());
            line.setMarker(SeriesMarkers.CIRCLE);
        }
        double min = xs.min();
        double max = xs.max();
        XYSeries even = chart.addSeries("break-even (1x)", new double[] {min, max}, new double[] {1, 1});
        even.setMarker(SeriesMarkers.NONE);
        even.setLineStyle(SeriesLines.DASH_DASH);
        XYSeries best = chart.addSeries("ideal (" + ideal + "x, the usable cores)", new double[] {min, max},
                new double[] {ideal, ideal});
        best.setMarker(SeriesMarkers.NONE);
        best.setLineStyle(SeriesLines.DOT_DOT);
        for (Map.Entry<String, Double> c : crossings.entrySet()) {
            String relation = c.getValue() <= min ? " ≤ " : " ≈ ";
            markCrossover(chart, c.getValue(), 1.0, c.getKey() + " breaks even" + relation
                    + String.format("%.3g", c.getValue()));
        }
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        return readable(chart);
    }

    /**
     * Speedups as grouped bars on a logarithmic axis, so that 0.01x and 2x both read: one group
     * per distinct value of {@code category}, one bar per variant except the baseline (columns
     * {@code variant}, {@code speedup}, {@code verdict}), a line at 1 (break-even) and one at
     * {@code ideal}. A missing speedup (implausible, not a result) leaves its bar out.
     */
    public static CategoryChart speedupBars(Table table, String category, int ideal) {
        Table others = table.where(table.stringColumn("verdict").isNotEqualTo("baseline"));
        List<String> categories = distinct(others.column(category));
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(table.name())
                .xAxisTitle(category).yAxisTitle("speedup over the baseline (log)").build();
        double low = 1;
        double high = ideal;
        for (Map.Entry<String, List<Integer>> s : rowsBy(others.column("variant")).entrySet()) {
            List<Double> heights = new ArrayList<>();
            for (String c : categories) {
                double v = s.getValue().stream().filter(row -> others.column(category).getString(row).equals(c))
                        .mapToDouble(row -> others.doubleColumn("speedup").getDouble(row)).findFirst()
                        .orElse(Double.NaN);
                heights.add(Double.isFinite(v) && v > 0 ? v : null);
                if (Double.isFinite(v) && v > 0) {
                    low = Math.min(low, v);
                    high = Math.max(high, v);
                }
            }
            chart.addSeries(s.getKey(), categories, heights);
        }
        for (Object[] line : new Object[][] {{"break-even (1x)", 1.0}, {"ideal (" + ideal + "x, the usable cores)",
                (double) ideal}}) {
            List<Double> ys = categories.stream().map(c -> (Double) line[1]).toList();
            CategorySeries ref = chart.addSeries((String) line[0], categories, ys);
            ref.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
            ref.setMarker(SeriesMarkers.NONE);
            ref.setLineStyle(line[1].equals(1.0) ? SeriesLines.DASH_DASH : SeriesLines.DOT_DOT);
            // a category chart draws a line series from one bar slot to another, so it stops short of
            // the plot's edges: the same level again across the whole plot (the series stay for the legend)
            chart.addAnnotation(new org.knowm.xchart.AnnotationLine((Double) line[1], false, false));
        }
        chart.getStyler().setAnnotationLineColor(REFERENCE);
        chart.getStyler().setAnnotationLineStroke(new java.awt.BasicStroke(1f));
        chart.getStyler().setYAxisLogarithmic(true);
        // a bar grows from the axis minimum: keep a quarter of a decade below the shortest one in view
        chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(low) - 0.25)));
        chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(high) - 1e-9)));
        chart.getStyler().setOverlapped(false);
        return readable(chart);
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
        chart.getStyler().setXAxisLabelRotation(labels.size() > 3 ? 20 : 0);
        return readable(chart);
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
