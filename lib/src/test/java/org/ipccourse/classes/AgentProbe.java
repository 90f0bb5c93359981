package org.ipccourse.classes;

import java.util.Arrays;
import java.util.Map;

/**
 * Run in a fresh JVM with the agent by {@link AgentInForkedJvmTest}: defines cells like a kernel,
 * checks that their class files are served and their lambdas made serializable, and prints nothing unless a check fails.
 */
public final class AgentProbe {
    private AgentProbe() {
    }

    public static void main(String[] args) {
        try (CellShell cells = TestCells.start()) {
            cells.run("int n = 12;");
            cells.run("long computeHash(long x) { return x * 31 + n; }");
            cells.run("record Res(long v) {}");
            Object task = cells.value("(org.ipccourse.classes.TestTask<Res>) () -> new Res(computeHash(3))");
            if (!CellClassAgent.installed()) {
                fail("the agent is not installed");
            }
            for (Map.Entry<String, byte[]> c : cells.definedClasses().entrySet()) {
                byte[] found = ClassBytes.find(c.getKey(), cells.loader()).orElse(null);
                if (!Arrays.equals(c.getValue(), found)) {
                    fail("no or wrong bytes for " + c.getKey());
                }
            }
            Object plain = cells.value("(java.util.concurrent.Callable<Long>) () -> computeHash(3)");
            if (!(plain instanceof java.io.Serializable) || !(task instanceof java.io.Serializable)) {
                fail("the agent did not make the cells' lambdas serializable");
            }
        }
    }

    private static void fail(String message) {
        System.err.println("probe failed: " + message);
        System.exit(3);
    }
}
