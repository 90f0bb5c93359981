package org.ipccourse.procfs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of one {@code /proc/<pid>/stat} or {@code /proc/<pid>/task/<tid>/stat} line that the
 * library reads: the command name, the state, the CPU time used in user and kernel mode, and the
 * start in clock ticks since boot (fields 2, 3, 14, 15 and 22 of proc(5)). Ticks are
 * {@code USER_HZ}, {@value #TICKS_PER_SECOND} per second on every Linux build.
 *
 * <p>The command name is the one field that may hold spaces and parentheses (a thread may name
 * itself {@code "a) b"}), so the fields after it are counted from the line's last {@code ')'}.
 *
 * <p>Costs: one read of a small file from {@code /proc} and a split of its line, some µs.
 *
 * @param command the command or thread name, without its parentheses (at most 15 characters)
 * @param state one letter: {@code R} running, {@code S} sleeping, {@code Z} zombie, ...
 * @param userTicks CPU time in user mode
 * @param systemTicks CPU time in kernel mode
 * @param startTicks when the process or thread started, in ticks since boot: unlike a wall-clock
 *     start, it does not move when the clock is set
 */
public record ProcStat(String command, char state, long userTicks, long systemTicks, long startTicks) {
    /** Clock ticks per second of {@code /proc}'s times: {@code USER_HZ}. */
    public static final int TICKS_PER_SECOND = 100;

    /** The stat line of process {@code pid}; empty where there is no such process or no {@code /proc}. */
    public static Optional<ProcStat> ofProcess(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /**
     * The stat line in {@code file}; empty when it cannot be read (the process or thread has gone,
     * there is no {@code /proc}, access is denied) or is not in the format proc(5) gives.
     */
    public static Optional<ProcStat> read(Path file) {
        String line;
        try {
            line = Files.readString(file);
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(line));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Parses one stat line.
     *
     * @throws IllegalArgumentException if the line has no command name in parentheses, too few
     *     fields after it, or a field that is not a number where proc(5) has one
     */
    public static ProcStat parse(String line) {
        int open = line.indexOf('(');
        int close = line.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 > line.length()) {
            throw new IllegalArgumentException("not a /proc stat line (no command name in parentheses): " + line);
        }
        String[] fields = line.substring(close + 2).trim().split(" ");
        if (fields.length < 20 || fields[0].length() != 1) {
            throw new IllegalArgumentException("not a /proc stat line (" + fields.length
                    + " fields after the command name, proc(5) has over 40): " + line);
        }
        try {
            // fields[0] is field 3 of proc(5), so field n is fields[n - 3]
            return new ProcStat(line.substring(open + 1, close), fields[0].charAt(0),
                    Long.parseLong(fields[11]), Long.parseLong(fields[12]), Long.parseLong(fields[19]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a /proc stat line (" + e.getMessage() + "): " + line, e);
        }
    }

    /** Whether the process has exited and not yet been reaped by its parent (a zombie), or is dead. */
    public boolean exited() {
        return state == 'Z' || state == 'X';
    }

    /** CPU time in user and kernel mode together, in milliseconds. */
    public long cpuMillis() {
        return (userTicks + systemTicks) * 1000 / TICKS_PER_SECOND;
    }
}
