package org.ipccourse.shm;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ipccourse.threads.LibraryThreads;

/**
 * A counter that lives in the owner JVM only; other processes update it by sending a request over
 * a local socket and waiting for the reply, the analog of a Python {@code Manager} proxy. Every
 * update is a round trip through the owner, and the owner applies them one at a time, so the
 * more workers update it, the more they wait for each other: this is the coordination cost of
 * the lecture's third scenario, and the reason to prefer workers that do not talk to each other.
 *
 * <pre>{@code
 * try (OwnerCounter counter = OwnerCounter.create()) {
 *     pool.map(n -> { for (int i = 0; i < n; i++) counter.increment(); return n; },
 *              List.of(10_000, 10_000));
 *     counter.get();   // exactly 20_000, after 20_000 round trips
 * }
 * }</pre>
 *
 * <p>Costs: one round trip over a Unix-domain socket per call from another process (tens of
 * microseconds, against nanoseconds for {@link SharedCounter#incrementAtomic()}); calls from the
 * owner itself are a synchronized add. The owner runs one thread per connected process. The
 * socket file is owner-only and removed by {@link #close()} or, if the owner dies, by the next
 * sweep of any JVM using this package.
 */
public final class OwnerCounter implements Serializable, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final byte INCREMENT = 1;
    private static final byte GET = 2;
    /** This JVM's connections, one per counter, shared by all handles of that counter. */
    private static final Map<String, SocketChannel> CONNECTIONS = new ConcurrentHashMap<>();

    private final String socketPath;
    private transient Server server; // set in the owner only

    private OwnerCounter(String socketPath, Server server) {
        this.socketPath = socketPath;
        this.server = server;
    }

    /** A new counter at zero, served by this JVM until {@link #close()}. */
    public static OwnerCounter create() {
        Registry.start();
        Path path = SegmentFiles.createOwnerOnly(".sock");
        SegmentFiles.deleteQuietly(path); // bind creates the socket file itself
        try {
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            Server server = new Server(channel, path);
            server.start();
            return new OwnerCounter(path.toString(), server);
        } catch (IOException e) {
            SegmentFiles.deleteQuietly(path);
            throw new UncheckedIOException("could not open the counter's socket " + path, e);
        }
    }

    /** Adds one in the owner; returns the new value. */
    public long increment() {
        return server != null ? server.apply(INCREMENT) : call(INCREMENT);
    }

    /** The owner's current value. */
    public long get() {
        return server != null ? server.apply(GET) : call(GET);
    }

    /** Stops serving (the owner's handle only) and removes the socket file. */
    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        SocketChannel mine = CONNECTIONS.remove(socketPath);
        if (mine != null) {
            try {
                mine.close();
            } catch (IOException e) {
                // closing our end cannot lose an update: every update was answered
            }
        }
    }

    private long call(byte op) {
        SocketChannel channel = CONNECTIONS.computeIfAbsent(socketPath, OwnerCounter::connect);
        synchronized (channel) {
            try {
                channel.write(ByteBuffer.wrap(new byte[] {op}));
                ByteBuffer reply = ByteBuffer.allocate(8);
                while (reply.hasRemaining()) {
                    if (channel.read(reply) < 0) {
                        throw closedError(null);
                    }
                }
                return reply.getLong(0);
            } catch (IOException e) {
                CONNECTIONS.remove(socketPath, channel);
                throw closedError(e);
            }
        }
    }

    private static SocketChannel connect(String path) {
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(Paths.get(path)));
        } catch (IOException e) {
            throw new IllegalStateException("the owner of counter " + path + " is not serving it"
                    + " (closed, or the owner JVM is gone); create a new OwnerCounter", e);
        }
    }

    private IllegalStateException closedError(IOException cause) {
        return new IllegalStateException("the owner of counter " + socketPath + " closed it or"
                + " exited while this process was updating it", cause);
    }

    /** The owner's side: accepts connections and applies requests one at a time. */
    private static final class Server {
        private final ServerSocketChannel channel;
        private final Path path;
        private final java.util.Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();
        private long value;

        Server(ServerSocketChannel channel, Path path) {
            this.channel = channel;
            this.path = path;
        }

        void start() {
            LibraryThreads.daemon(this::acceptLoop, "ipccourse-counter-" + path.getFileName()).start();
        }

        synchronized long apply(byte op) {
            if (op == INCREMENT) {
                value++;
            }
            return value;
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // the socket file is removed below either way
            }
            for (SocketChannel client : clients) {
                try {
                    client.close();
                } catch (IOException e) {
                    // a client that is already gone needs no goodbye
                }
            }
            SegmentFiles.deleteQuietly(path);
        }

        private void acceptLoop() {
            while (channel.isOpen()) {
                try {
                    SocketChannel client = channel.accept();
                    clients.add(client);
                    LibraryThreads.daemon(() -> serve(client), "ipccourse-counter-client").start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(SocketChannel client) {
            ByteBuffer request = ByteBuffer.allocate(1);
            ByteBuffer reply = ByteBuffer.allocate(8);
            try (client) {
                while (channel.isOpen()) {
                    request.clear();
                    if (client.read(request) < 0) {
                        return;
                    }
                    reply.clear();
                    reply.putLong(0, apply(request.get(0)));
                    while (reply.hasRemaining()) {
                        client.write(reply);
                    }
                }
            } catch (IOException e) {
                // the client went away; its updates so far were all applied and answered
            } finally {
                clients.remove(client);
            }
        }
    }
}
