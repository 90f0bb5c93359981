package org.ipccourse.bench;

import java.lang.reflect.Method;
import java.util.List;
import org.ipccourse.classes.CellClassAgent;
import org.ipccourse.classes.CellShell;
import org.ipccourse.classes.ClassBytes;

/**
 * Measures what the interrupt checks cost a tight loop written in a cell: the cell method
 * {@code spin(n)} ({@code s += Math.sqrt(i)}, n times) as the kernel runs it, with checks, against
 * the same class defined from its bytes as compiled (what a worker gets), called alternately in one
 * JVM. Needs {@code -javaagent}, as the kernel: after {@code mvn package -DskipTests},
 * {@code java -javaagent:lib/target/ipc-course-lib.jar -cp
 * bench/target/ipc-course-bench.jar:lib/target/ipc-course-lib.jar:lib/target/ipc-course-lib-tests.jar
 * org.ipccourse.bench.LoopCheckCost [n] [repeats]} ({@code ./course bench loops}) (defaults 100000000 and 15). JDK 17 only,
 * like {@link CellShell}: newer JShells add their own stop checks that this loader does not serve.
 */
public final class LoopCheckCost {
    private LoopCheckCost() {
    }

    /** Prints one line: both times and their ratio; {@code args}: n and repeats. */
    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 100_000_000L;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        if (!CellClassAgent.installed()) {
            throw new IllegalStateException("run with -javaagent:lib/target/ipc-course-lib.jar (see the class comment)");
        }
        try (CellShell cells = new CellShell(List.of())) {
            cells.run("double spin(long n) { double s = 0; for (long i = 0; i < n; i++) s += Math.sqrt(i); return s; }");
            String name = cells.definedClasses().keySet().iterator().next();
            Method checked = cells.loader().loadClass(name).getDeclaredMethod("spin", long.class);
            byte[] compiled = ClassBytes.find(name, cells.loader()).orElseThrow();
            Method plain = new ClassLoader("compiled", ClassLoader.getSystemClassLoader()) {
                @Override
                protected Class<?> findClass(String className) throws ClassNotFoundException {
                    if (!className.equals(name)) {
                        throw new ClassNotFoundException(className);
                    }
                    return defineClass(className, compiled, 0, compiled.length);
                }
            }.loadClass(name).getDeclaredMethod("spin", long.class);
            checked.setAccessible(true);
            plain.setAccessible(true);
            for (int i = 0; i < 3; i++) { // warm-up: both compiled by the JIT
                time(checked, n / 10);
                time(plain, n / 10);
            }
            double[] checkedMs = new double[repeats];
            double[] plainMs = new double[repeats];
            double[] ratio = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                if (r % 2 == 0) {
                    checkedMs[r] = time(checked, n);
                    plainMs[r] = time(plain, n);
                } else {
                    plainMs[r] = time(plain, n);
                    checkedMs[r] = time(checked, n);
                }
                ratio[r] = checkedMs[r] / plainMs[r];
            }
            System.out.printf("spin(%,d) in a cell, %d alternating runs, %s: with checks %.1f ms [%.1f-%.1f],"
                            + " as compiled %.1f ms [%.1f-%.1f]; ratio median %.3f [%.3f-%.3f]%n",
                    n, repeats, Runtime.version(),
                    ShippingCost.median(checkedMs), ShippingCost.min(checkedMs), ShippingCost.max(checkedMs),
                    ShippingCost.median(plainMs), ShippingCost.min(plainMs), ShippingCost.max(plainMs),
                    ShippingCost.median(ratio), ShippingCost.min(ratio), ShippingCost.max(ratio));
        }
    }

    private static double time(Method spin, long n) throws Exception {
        long start = System.nanoTime();
        double s = (double) spin.invoke(null, n);
        long end = System.nanoTime();
        if (s < 0) {
            throw new AssertionError(s); // keeps the result alive
        }
        return (end - start) / 1e6;
    }
}
