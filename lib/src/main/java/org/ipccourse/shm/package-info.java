/**
 * Memory that several JVMs share: {@link org.ipccourse.shm.SharedSegment} is a memory-mapped file
 * under /dev/shm, readable by its owner only, of which only a small
 * {@link org.ipccourse.shm.SharedSegment.Ref} crosses the pipe;
 * {@link org.ipccourse.shm.SharedMemory} ties segments to a pool's lifetime;
 * {@link org.ipccourse.shm.SharedCounter} shows why shared state needs atomic or locked updates,
 * and {@link org.ipccourse.shm.OwnerCounter} what it costs to keep state in the owner instead.
 *
 * <p>Clean-up: the creating JVM deletes its files on release and at exit; a sweeper thread in
 * every JVM that uses this package deletes the files of JVMs that died (named by pid and start
 * time) and releases the segments of scopes whose pool has shut down.
 */
package org.ipccourse.shm;
