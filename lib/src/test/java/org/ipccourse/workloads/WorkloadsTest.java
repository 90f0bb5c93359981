package org.ipccourse.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadsTest {
    @Test
    void computeHashMatchesThePythonOriginal() {
        // values printed by the lecture's Python computeHash on this machine
        assertEquals(new Workloads.HashResult(50_000, 247_581_337L), Workloads.computeHash(50_000));
        assertEquals(451_473_448L, Workloads.computeHash(90_000).hash());
        assertEquals(0L, Workloads.computeHash(0).hash());
    }

    @Test
    void computeHashOfANegativeRangeIsAnIllegalArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Workloads.computeHash(-1));
        assertTrue(e.getMessage().contains("Invalid range: -1"), e.getMessage());
    }

    @Test
    void largeTasksEachCarryTheirOwnFullList() {
        List<Workloads.LargeTask> tasks = Workloads.largeTasks(3, 50_000);
        assertEquals(3, tasks.size());
        assertNotSame(tasks.get(0).data(), tasks.get(1).data());
        assertEquals(49_999, tasks.get(2).data().get(49_999));
        assertEquals(49_999L * 50_000 / 2, Workloads.lightWorkLargeData(tasks.get(0)));
    }

    @Test
    void lightAndHeavyFunctionsComputeWhatTheySay() {
        Workloads.SmallTask t = new Workloads.SmallTask(4, 4);
        assertEquals(8, Workloads.lightWorkSmallData(t));
        assertEquals(0 + 1 + Math.sqrt(2) + Math.sqrt(3), Workloads.heavyWorkSmallData(t).total(), 1e-12);
        assertEquals(4, Workloads.heavyWorkLargeData(new Workloads.LargeTask(4, List.of(0, 4, 16))).taskId());
        assertEquals(6.0, Workloads.heavyWorkLargeData(new Workloads.LargeTask(4, List.of(0, 4, 16))).total());
        Workloads.LargeTask task = new Workloads.LargeTask(5, List.of(0, 4, 16));
        assertEquals(6.0, Workloads.heavyWorkPerElement(task, 1).total(), "one round is the lecture's workload");
        assertEquals(6.0 + Math.sqrt(8) + Math.sqrt(32), Workloads.heavyWorkPerElement(task, 2).total(), 1e-9);
        assertEquals(5, Workloads.heavyWorkPerElement(task, 3).taskId());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Workloads.heavyWorkPerElement(task, 0));
        assertTrue(e.getMessage().contains("roundsPerElement"), e.getMessage());
    }

    @Test
    void eachScenarioRunsItsOwnFunctionOnItsOwnKindOfTask() {
        List<Workloads.Job> heavyLarge = Workloads.Scenario.HEAVY_COMPUTE_LARGE_DATA.jobs(2, 0, 10);
        assertEquals(2, heavyLarge.size());
        assertTrue(heavyLarge.get(1).run() instanceof Workloads.Sum);
        assertEquals(45L, Workloads.Scenario.LIGHT_COMPUTE_LARGE_DATA.jobs(1, 0, 10).get(0).run());
        assertEquals(14L, Workloads.Scenario.LIGHT_COMPUTE_SMALL_DATA.jobs(1, 7, 0).get(0).run());
        assertEquals(50_000, Workloads.Scenario.LIGHT_COMPUTE_LARGE_DATA.jobs(1).get(0).large().data().size());
        assertEquals("heavy compute, small data", Workloads.Scenario.HEAVY_COMPUTE_SMALL_DATA.toString());
    }

    @Test
    void negativeSizesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Workloads.largeTasks(2, -5));
        assertThrows(IllegalArgumentException.class, () -> Workloads.smallTasks(-1, 5));
        assertThrows(IllegalArgumentException.class, () -> Workloads.timedTasks(2, -10));
        assertThrows(IllegalArgumentException.class, () -> Calibration.iterationsFor(Double.NaN));
    }

    @Test
    void aTenMillisecondTaskTakesAboutTenMillisecondsOfCpuHere() {
        Workloads.TimedTask task = Workloads.timedTasks(1, 10).get(0);
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        double[] ms = new double[7];
        for (int i = 0; i < ms.length; i++) {
            long t0 = threads.getCurrentThreadCpuTime(); // the machine is shared: count our CPU only
            Workloads.simulateWork(task);
            ms[i] = (threads.getCurrentThreadCpuTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = ms[ms.length / 2];
        // a calibration off by 2x is a real bug
        assertTrue(median > 5 && median < 20, "median of a 10 ms task was " + median + " ms");
    }

    @Test
    void calibrationIsMeasuredOncePerJvm() {
        double first = Calibration.iterationsPerMs();
        assertTrue(first > 1000, "a core does more than 1000 square roots per ms, got " + first);
        assertEquals(first, Calibration.iterationsPerMs());
    }
}
