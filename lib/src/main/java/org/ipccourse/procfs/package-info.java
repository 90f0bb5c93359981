/**
 * Reading Linux's {@code /proc}: one parser of a process's or thread's {@code stat} line
 * ({@link org.ipccourse.procfs.ProcStat}) for the code that asks when a process started, whether it
 * has exited, or how much CPU time a thread has used. Every method answers "unknown" (an empty
 * {@code Optional}) where there is no {@code /proc}, as on macOS, so callers decide what unknown
 * means for them.
 */
package org.ipccourse.procfs;
