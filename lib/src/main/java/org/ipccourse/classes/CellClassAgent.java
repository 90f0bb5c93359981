package org.ipccourse.classes;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.CodeSource;
import java.security.ProtectionDomain;

/**
 * The java agent of the lib jar: it keeps a copy of every class file that a class loader defines
 * from memory rather than from a jar or directory, so that {@link ClassBytes#find} can hand it to
 * worker JVMs. Notebook cells are compiled to such classes ({@code REPL.$JShell$14}); without the
 * agent the kernel's cell loader gives no way to read them back. It also makes loops in cell
 * classes stoppable: each loop back-edge of a class compiled from a cell gets a call to
 * {@link CellInterrupts#check()}, so "Interrupt Kernel" (which interrupts the cell's thread) ends a
 * CPU loop that never looks at its interrupt flag, and every lambda of a cell class is made
 * serializable ({@link CellRewriter}), so a plain {@code Callable} written in a cell can go to a
 * worker through any {@code ExecutorService} method, and each assignment of a static field of a
 * class declared in a cell marks the notebook state changed ({@link NotebookState#kernelWrites}),
 * so workers fetch such fields again for the next task. The registry keeps the class files as compiled,
 * without the checks: those are what workers get. The agent changes no other class and prints
 * nothing; if a class cannot be rewritten, it is defined as compiled.
 *
 * <pre>{@code
 * java -javaagent:ipc-course-lib.jar -cp jjava.jar:ipc-course-lib.jar:... org.dflib.jjava.distro.JJava
 * }</pre>
 *
 * <p>Costs: one call per class definition in the JVM, which returns at once for classes with a
 * location (jars, directories) and JDK-generated classes; for cell classes, a copy of the class
 * file (a few kilobytes per cell), kept while its class loader is alive, one more parse and write of
 * it (well under a millisecond), and at run time an interrupt check per loop turn that compiles to
 * nothing while no thread is interrupted, with a watcher thread waking every
 * {@value CellInterrupts#WATCH_MILLIS} ms ({@link CellInterrupts} gives how, and what was measured).
 *
 * <p>The agent and {@link ClassBytes} must share one registry: they do when the lib jar given to
 * {@code -javaagent} is also on the class path ({@code -cp}), as the kernelspec does, since both
 * then come from the system class loader.
 */
public final class CellClassAgent {
    private static volatile boolean installed;

    private CellClassAgent() {
    }

    /**
     * Called by the JVM for {@code -javaagent:ipc-course-lib.jar}; installs the recorder.
     *
     * @param args ignored
     * @param instrumentation the JVM's instrumentation
     */
    public static synchronized void premain(String args, Instrumentation instrumentation) {
        if (installed) {
            return;
        }
        DefinedClasses.loaderCount(); // load and initialize the registry before it is needed
        instrumentation.addTransformer(new Recorder(), false);
        installed = true;
    }

    /** Whether the agent runs in this JVM and shares its registry with this copy of the library. */
    public static boolean installed() {
        return installed;
    }

    /**
     * Records every class defined from memory as compiled; returns cell classes with interrupt
     * checks added, and null (the class as it is) for all other classes and on any failure.
     */
    static final class Recorder implements ClassFileTransformer {
        @Override
        public byte[] transform(ClassLoader loader, String internalName, Class<?> classBeingRedefined,
                ProtectionDomain domain, byte[] classFile) {
            boolean fromMemory;
            try {
                fromMemory = loader != null && internalName != null && definedFromMemory(domain)
                        && !generatedByTheJdk(internalName);
                if (fromMemory) {
                    DefinedClasses.record(loader, internalName.replace('/', '.'), classFile.clone());
                }
            } catch (Throwable ignored) {
                // A recorder must never break class loading; a class it misses is reported by
                // the worker as not found.
                return null;
            }
            if (!fromMemory || classBeingRedefined != null || !CellClasses.isCellClassInternal(internalName)) {
                return null;
            }
            byte[] rewritten = null;
            try {
                rewritten = CellRewriter.forKernel(classFile);
            } catch (Throwable ignored) {
                // lambdas as compiled: a task must then be declared serializable
            }
            try {
                byte[] checked = LoopChecks.instrument(rewritten != null ? rewritten : classFile);
                return checked != null ? checked : rewritten;
            } catch (Throwable ignored) {
                return rewritten; // it runs, only without interrupt checks
            }
        }

        private static boolean definedFromMemory(ProtectionDomain domain) {
            CodeSource source = domain == null ? null : domain.getCodeSource();
            return source == null || source.getLocation() == null;
        }

        // Reflection accessors and proxies have no location either; workers make their own.
        private static boolean generatedByTheJdk(String internalName) {
            return internalName.startsWith("jdk/") || internalName.startsWith("sun/")
                    || internalName.startsWith("com/sun/") || internalName.startsWith("java/");
        }
    }
}
