/**
 * The library's background threads: where they live ({@link org.ipccourse.threads.LibraryThreads}),
 * so that no code that starts a pool or a shared segment leaves threads in its caller's thread group.
 */
package org.ipccourse.threads;
