package org.ipccourse.workloads;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The lecture's workloads as plain static functions, ready to pass to a sequential loop, a thread
 * pool or a process pool: light or heavy compute on small or large data (Example 26.1), a
 * deterministic hash over a range (Example 26.2) and work scaled to a target duration, calibrated
 * on this machine (Example 26.3). Every task and result type is a serializable record, so the same
 * method reference runs unchanged in a worker JVM.
 *
 * <pre>{@code
 * Table t = Harness.over(List.of(Workloads.Scenario.values()))      // Example 26.1
 *     .tasks(s -> s.jobs(8)).sequential(Workloads.Job::run).processPool(pool, Workloads.Job::run)
 *     .run();
 * List<Workloads.SmallTask> tasks = Workloads.smallTasks(8, 200_000);
 * List<Workloads.Sum> sums = tasks.stream().map(Workloads::heavyWorkSmallData).toList();
 * Workloads.HashResult h = Workloads.computeHash(50_000);
 * List<Workloads.TimedTask> tenMs = Workloads.timedTasks(8, 10.0);  // about 10 ms each, here
 * }</pre>
 *
 * <p>Costs: the heavy functions take one square root per element (about a nanosecond each once
 * compiled), so the lecture's sizes are far lighter in Java than in Python; pick sizes from a
 * measurement, not from the Python numbers. {@link #largeTasks} builds each task's own list of
 * boxed integers, so a process pool really has to serialize all of them. {@link #timedTasks}
 * calibrates once per JVM (about 0.3 s) and carries the iteration count inside each task, so
 * workers do not calibrate again.
 */
public final class Workloads {
    private Workloads() {
    }

    /** A task with a small payload: an id and one number. */
    public record SmallTask(int taskId, int value) implements Serializable {
    }

    /** A task with a large payload: an id and a list of boxed integers. */
    public record LargeTask(int taskId, List<Integer> data) implements Serializable {
    }

    /** A task's id and its floating-point total. */
    public record Sum(int taskId, double total) implements Serializable {
    }

    /** Example 26.2's answer: the range size and its hash. */
    public record HashResult(int rangeSize, long hash) implements Serializable {
    }

    /** Example 26.3's task: a target duration and the iterations that take that long here. */
    public record TimedTask(int taskId, double computeMs, long iterations) implements Serializable {
    }

    /**
     * Example 26.1's four scenarios, each a kind of task and the function that runs it, so that a
     * sweep can take the scenario as its parameter:
     * {@code Harness.over(List.of(Scenario.values())).tasks(s -> s.jobs(8)).sequential(Job::run)}.
     */
    public enum Scenario {
        HEAVY_COMPUTE_SMALL_DATA("heavy compute, small data"),
        LIGHT_COMPUTE_SMALL_DATA("light compute, small data"),
        HEAVY_COMPUTE_LARGE_DATA("heavy compute, large data"),
        LIGHT_COMPUTE_LARGE_DATA("light compute, large data");

        /** The lecture's sizes: 200,000 square roots per small task, 50,000 boxed integers per large one. */
        public static final int SMALL_VALUE = 200_000;
        public static final int LARGE_SIZE = 50_000;

        private final String label;

        Scenario(String label) {
            this.label = label;
        }

        /** {@code count} jobs of this scenario at the lecture's sizes. */
        public List<Job> jobs(int count) {
            return jobs(count, SMALL_VALUE, LARGE_SIZE);
        }

        /** {@code count} jobs with {@code value} for small tasks and {@code size} for large ones. */
        public List<Job> jobs(int count, int value, int size) {
            boolean large = this == HEAVY_COMPUTE_LARGE_DATA || this == LIGHT_COMPUTE_LARGE_DATA;
            List<Job> jobs = new ArrayList<>(count);
            if (large) {
                largeTasks(count, size).forEach(t -> jobs.add(new Job(this, null, t)));
            } else {
                smallTasks(count, value).forEach(t -> jobs.add(new Job(this, t, null)));
            }
            return jobs;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** One task of a {@link Scenario}: its small or its large task, and what to do with it. */
    public record Job(Scenario scenario, SmallTask small, LargeTask large) implements Serializable {
        /** Runs the scenario's function on this job's task and returns its result. */
        public Object run() {
            return switch (scenario) {
                case HEAVY_COMPUTE_SMALL_DATA -> heavyWorkSmallData(small);
                case LIGHT_COMPUTE_SMALL_DATA -> lightWorkSmallData(small);
                case HEAVY_COMPUTE_LARGE_DATA -> heavyWorkLargeData(large);
                case LIGHT_COMPUTE_LARGE_DATA -> lightWorkLargeData(large);
            };
        }
    }

    /** {@code count} small tasks, each carrying {@code value}. */
    public static List<SmallTask> smallTasks(int count, int value) {
        requireNonNegative("count", count);
        requireNonNegative("value", value);
        List<SmallTask> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tasks.add(new SmallTask(i, value));
        }
        return tasks;
    }

    /** {@code count} large tasks, each with its own list {@code 0, 1, ..., size - 1}. */
    public static List<LargeTask> largeTasks(int count, int size) {
        requireNonNegative("count", count);
        List<LargeTask> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tasks.add(new LargeTask(i, range(size)));
        }
        return tasks;
    }

    /** A new mutable list {@code 0, 1, ..., size - 1} of boxed integers. */
    public static List<Integer> range(int size) {
        requireNonNegative("size", size);
        List<Integer> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(i);
        }
        return list;
    }

    /** Tiny compute, tiny data: twice the value. */
    public static long lightWorkSmallData(SmallTask task) {
        return 2L * task.value();
    }

    /** Heavy compute, tiny data: the sum of square roots of {@code 0 .. value - 1}. */
    public static Sum heavyWorkSmallData(SmallTask task) {
        double total = 0;
        for (int i = 0; i < task.value(); i++) {
            total += Math.sqrt(i);
        }
        return new Sum(task.taskId(), total);
    }

    /** Tiny compute, large data: the sum of the list. */
    public static long lightWorkLargeData(LargeTask task) {
        long total = 0;
        for (int x : task.data()) {
            total += x;
        }
        return total;
    }

    /** Heavy compute, large data: the sum of the square roots of the list's elements. */
    public static Sum heavyWorkLargeData(LargeTask task) {
        double total = 0;
        for (int x : task.data()) {
            total += Math.sqrt(x);
        }
        return new Sum(task.taskId(), total);
    }

    /**
     * Heavy compute, large data, with the work per element as a parameter: for each element
     * {@code x}, the square roots of {@code x * r} for {@code r = 1 .. roundsPerElement}. One round
     * is {@link #heavyWorkLargeData(LargeTask)}, the lecture's; in Java that is lighter than
     * shipping the list, so a notebook that wants the heavy/large quadrant to be heavy here picks
     * more rounds (for instance from {@link Calibration}). Not an overload of
     * {@code heavyWorkLargeData}, so that {@code Workloads::heavyWorkLargeData} stays unambiguous
     * where a notebook passes it as a function.
     *
     * @throws IllegalArgumentException if {@code roundsPerElement} is below 1
     */
    public static Sum heavyWorkPerElement(LargeTask task, int roundsPerElement) {
        if (roundsPerElement < 1) {
            throw new IllegalArgumentException("roundsPerElement must be at least 1, got " + roundsPerElement);
        }
        double total = 0;
        for (int x : task.data()) {
            for (int r = 1; r <= roundsPerElement; r++) {
                total += Math.sqrt((double) x * r);
            }
        }
        return new Sum(task.taskId(), total);
    }

    /**
     * Example 26.2's deterministic hash: the sum over {@code i < rangeSize} of
     * {@code (long) (sqrt(i) * 1000) % 9973}. Gives the same numbers as the Python original.
     *
     * @throws IllegalArgumentException if {@code rangeSize} is negative
     */
    public static HashResult computeHash(int rangeSize) {
        if (rangeSize < 0) {
            throw new IllegalArgumentException("Invalid range: " + rangeSize
                    + " (the range size must be zero or more)");
        }
        long total = 0;
        for (int i = 0; i < rangeSize; i++) {
            total += (long) (Math.sqrt(i) * 1000) % 9973;
        }
        return new HashResult(rangeSize, total);
    }

    /**
     * {@code count} tasks that each take about {@code computeMs} milliseconds on this machine,
     * using this JVM's calibration (measured on first use).
     */
    public static List<TimedTask> timedTasks(int count, double computeMs) {
        requireNonNegative("count", count);
        long iterations = Calibration.iterationsFor(computeMs);
        List<TimedTask> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tasks.add(new TimedTask(i, computeMs, iterations));
        }
        return tasks;
    }

    /** Example 26.3's work: runs the task's calibrated number of square-root iterations. */
    public static Sum simulateWork(TimedTask task) {
        return new Sum(task.taskId(), Calibration.spin(task.iterations()));
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be zero or more, got " + value);
        }
    }
}
