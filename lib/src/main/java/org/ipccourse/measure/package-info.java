/**
 * Measuring what parallelism costs: {@link org.ipccourse.measure.IpcCost} times the three copies
 * of a payload crossing to a worker (serialize, pipe, deserialize) and the heap each side
 * allocated for them, over the pipe or through shared memory; {@link org.ipccourse.measure.Codec}
 * is how the payload becomes bytes (Java serialization, or raw array contents);
 * {@link org.ipccourse.measure.Harness} runs variants over a parameter sweep, warmed up until
 * settled and interleaved, and returns a {@link org.ipccourse.measure.Sweep}: medians with 95%
 * {@link org.ipccourse.measure.Interval}s, speedups and a {@link org.ipccourse.measure.Verdict}
 * each, judged by the one threshold {@link org.ipccourse.measure.Verdict#WINS};
 * {@link org.ipccourse.measure.RoundTrip} is the course's one definition of a round trip. The command-line benchmark that prints the rates of every
 * path beside its baselines ({@code ./course bench ipc}) lives in the bench module.
 *
 * <p>Every result is measured in the same run as its baseline and shows as a Tablesaw table;
 * {@code org.ipccourse.display.Charts} draws them. This package uses the display package (for
 * progress lines and charts), never the other way round.
 */
package org.ipccourse.measure;
