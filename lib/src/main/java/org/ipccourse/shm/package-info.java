/**
 * Memory that several JVMs share: {@link org.ipccourse.shm.SharedSegment} is a memory-mapped file
 * under /dev/shm (or the temporary directory), readable by its owner only, of which only a small
 * {@link org.ipccourse.shm.SharedSegment.Ref} crosses the pipe;
 * {@link org.ipccourse.shm.SharedMemory} ties segments to a pool's lifetime;
 * {@link org.ipccourse.shm.SharedCounter} shows why shared state needs atomic or locked updates,
 * and {@link org.ipccourse.shm.OwnerCounter} what it costs to keep state in the owner instead.
 *
 * <p>Clean-up: the creating JVM deletes its files on release and at exit; if it is killed, its
 * watchdog (a tiny child process that sees the JVM's end of a pipe close, also when the JVM is a
 * zombie) deletes them at once, whether or not the course runs again. A sweeper thread in every
 * JVM that uses this package deletes whatever dead JVMs still left (files are named by pid and
 * start time; a zombie counts as dead) and releases the segments of scopes whose pool has shut
 * down. Where /dev/shm does not exist (macOS) the files live in the temporary directory.
 */
package org.ipccourse.shm;
