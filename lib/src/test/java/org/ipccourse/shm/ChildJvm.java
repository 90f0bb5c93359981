package org.ipccourse.shm;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A second JVM for the tests: receives serialized handles as arguments, as a worker would. */
public final class ChildJvm {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "create" -> {
                SharedSegment s = SharedSegment.create(Integer.parseInt(args[1]));
                System.out.println(s.ref().path());
                System.out.flush();
                System.in.read(); // stay alive until the test kills us or closes stdin
            }
            case "hold" -> { // creates args[1] segments of args[2] bytes, prints their paths, waits
                for (int i = 0, n = Integer.parseInt(args[1]); i < n; i++) {
                    System.out.println(SharedSegment.create(Integer.parseInt(args[2])).ref().path());
                }
                System.out.println("ready");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE); // until the test kills us
            }
            case "count" -> {
                SharedCounter c = (SharedCounter) decode(args[1]);
                int n = Integer.parseInt(args[2]);
                c.get(); // map before the start signal
                awaitStart();
                for (int i = 0; i < n; i++) {
                    switch (args[3]) {
                        case "plain" -> c.incrementPlain();
                        case "atomic" -> c.incrementAtomic();
                        default -> c.incrementLocked();
                    }
                }
            }
            case "owner" -> {
                OwnerCounter c = (OwnerCounter) decode(args[1]);
                awaitStart();
                for (int i = 0, n = Integer.parseInt(args[2]); i < n; i++) {
                    c.increment();
                }
            }
            case "read" -> {
                SharedSegment s = SharedSegment.attach((SharedSegment.Ref) decode(args[1]));
                System.out.println(s.buffer().getLong(0));
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /** Says ready, then waits for the test's go, so that both children run at the same time. */
    private static void awaitStart() throws IOException {
        System.out.println("ready");
        System.out.flush();
        System.in.read();
    }

    static String encode(Serializable handle) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(handle);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static Object decode(String text) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(
                new ByteArrayInputStream(Base64.getDecoder().decode(text)))) {
            return in.readObject();
        }
    }

    static Process start(String... args) throws IOException {
        return new ProcessBuilder(command(List.of(), args))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The command line of a child JVM with extra JVM options (e.g. -D properties). */
    static List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ChildJvm.class.getName()));
        command.addAll(List.of(args));
        return command;
    }
}
