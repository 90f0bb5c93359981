/**
 * The lecture's workloads as serializable tasks and static functions: Example 26.1's four
 * scenarios, Example 26.2's hash over a range, and Example 26.3's work of a target duration,
 * calibrated on the machine that runs it ({@link org.ipccourse.workloads.Calibration}).
 */
package org.ipccourse.workloads;
