/**
 * Shipping classes to worker JVMs, including classes compiled from notebook cells.
 *
 * <p>A worker of {@link org.ipccourse.pool.ProcessPool} that meets a class missing from its class
 * path asks the owner for it over the pipe; the owner answers with {@link ClassBytes#find}, given the
 * class loader of the task. Classes from jars and directories are read as resources. Classes the
 * kernel compiles from cells ({@code REPL.$JShell$14}, {@code REPL.$JShell$13$Res}) exist only in
 * memory, in a loader that does not serve them as resources; {@link CellClassAgent}, the java agent
 * of the lib jar, keeps a copy of each as it is defined. A redefined method gets a class with a new
 * name ({@code $JShell$12B}), so a worker's cache by name never serves an old definition to a new
 * lambda.
 *
 * <p>Top-level cell variables are static fields of the cell classes, set in the kernel only. A
 * worker defines each cell class rewritten by {@link CellRewriter#forWorker}: every read of a
 * static field of a cell class asks the kernel for its value ({@link NotebookState}, which says
 * which value a task sees and what it costs), every write of a top-level variable fails the task
 * (a class's static field may be assigned: the worker keeps it until the kernel changes such
 * fields), and every lambda is serializable. The kernel's copies get serializable lambdas too
 * (through the agent), so a plain {@code Callable} written in a cell can be submitted through an
 * {@code ExecutorService} variable, and mark each assignment of a static field of a class declared
 * in a cell, so that the next task makes workers fetch such fields again.
 *
 * <p>The agent also makes loops in cells stoppable: in the kernel JVM's copy of each cell class,
 * every loop back-edge calls {@link CellInterrupts#check()}, which throws
 * {@link CellInterruptedException} once the thread is interrupted, as the notebook's "Interrupt
 * Kernel" does. The bytes kept for workers are the class files as compiled, without the checks.
 *
 * <h2>Wiring</h2>
 * The kernel JVM starts with {@code -javaagent:<dir>/ipc-course-lib.jar}; the same jar is also on
 * its class path ({@code -cp}) or appended there by the agent option itself, so the agent and
 * {@code ClassBytes} share one registry in the system class loader, and JJava's cell loader, a
 * child of that loader that delegates to it first, finds the library there. The jar's manifest
 * names its dependencies under {@code dependency/} beside it (the layout {@code mvn package}
 * leaves in {@code lib/target}). Workers do not need the agent. {@code ShippingCost} in
 * {@code bench/} measures what the first task using new cell classes pays, and what a notebook
 * variable costs.
 */
package org.ipccourse.classes;
