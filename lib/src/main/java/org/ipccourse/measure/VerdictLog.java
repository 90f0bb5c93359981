package org.ipccourse.measure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends every verdict a {@link Sweep} reaches to the file named by the environment variable
 * {@value #ENV}, one JSON object per line ({@code title}, {@code variant}, {@code against},
 * {@code parameter}, {@code verdict}, {@code speedup}, {@code low}, {@code high}, {@code why}),
 * so that a run of the notebooks can be compared with another run verdict by verdict
 * ({@code ./course test --stability}). Without the variable it does nothing.
 *
 * <p>Costs: one small append per row when enabled; nothing otherwise.
 */
final class VerdictLog {
    /** The environment variable naming the log file. */
    static final String ENV = "IPC_COURSE_VERDICT_LOG";

    private VerdictLog() {
    }

    static void record(Sweep<?> sweep) {
        String file = System.getenv(ENV);
        if (file == null || file.isBlank()) {
            return;
        }
        StringBuilder lines = new StringBuilder();
        for (Sweep.Row r : sweep.rows()) {
            if (r.verdict() != Verdict.BASELINE) {
                lines.append(line(sweep.title(), r.variant(), "baseline", r.parameter(), r.verdict(),
                        r.speedup(), r.why()));
            }
        }
        append(file, lines.toString());
    }

    static void record(String title, Sweep.Comparison c) {
        String file = System.getenv(ENV);
        if (file != null && !file.isBlank()) {
            append(file, line(title, c.variant(), c.against(), c.parameter(), c.verdict(), c.speedup(), c.why()));
        }
    }

    private static String line(String title, String variant, String against, Object parameter,
            Verdict verdict, Interval speedup, String why) {
        return "{\"title\": " + quote(title) + ", \"variant\": " + quote(variant) + ", \"against\": "
                + quote(against) + ", \"parameter\": " + quote(String.valueOf(parameter))
                + ", \"verdict\": " + quote(verdict.label()) + ", \"speedup\": " + json(speedup.median())
                + ", \"low\": " + json(speedup.low()) + ", \"high\": " + json(speedup.high())
                + ", \"why\": " + quote(why) + "}\n";
    }

    private static String json(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.append('"').toString();
    }

    private static void append(String file, String text) {
        try {
            Files.writeString(Path.of(file), text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("could not append verdicts to " + file + " (" + ENV + "): " + e);
        }
    }
}
