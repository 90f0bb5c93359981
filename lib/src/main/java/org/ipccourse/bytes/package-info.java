/**
 * Primitive arrays as bytes, in bulk ({@link org.ipccourse.bytes.PrimitiveArrays}): shared by the
 * pool's encoding of large arrays and by the measurement package's raw codec.
 */
package org.ipccourse.bytes;
