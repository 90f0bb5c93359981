/**
 * Measuring what parallelism costs: {@link org.ipccourse.measure.IpcCost} times the three copies
 * of a payload crossing to a worker (serialize, pipe, deserialize) and the heap each side
 * allocated for them, over the pipe or through shared memory; {@link org.ipccourse.measure.Codec}
 * is how the payload becomes bytes (Java serialization, or raw array contents);
 * {@link org.ipccourse.measure.Harness} runs variants over a parameter sweep with warm-up and
 * repetitions and finds the crossover. The command-line benchmark that prints the rates of every
 * path beside its baselines ({@code ./course bench ipc}) lives in the bench module.
 *
 * <p>Every result is a Tablesaw table of medians with their spread, measured in the same run as
 * its baseline, and {@code org.ipccourse.display.Charts} draws them.
 */
package org.ipccourse.measure;
