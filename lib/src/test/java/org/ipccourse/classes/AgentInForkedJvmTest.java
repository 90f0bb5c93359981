package org.ipccourse.classes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The agent in a JVM of its own, launched the way the kernelspec launches the kernel. */
class AgentInForkedJvmTest {
    static final Path AGENT_JAR = Path.of("target", "ipc-course-lib-agent.jar");

    @ParameterizedTest(name = "java home {0}")
    @ValueSource(strings = {"this JVM", "/usr/lib/jvm/temurin-25-jdk-amd64"})
    void theAgentServesCellClassesAndPrintsNothing(String home) throws Exception {
        Path javaHome = Path.of(home.equals("this JVM") ? System.getProperty("java.home") : home);
        Path java = javaHome.resolve("bin").resolve("java");
        assumeTrue(Files.isExecutable(java), "no JDK at " + javaHome);
        Path output = Files.createTempFile("agent-probe", ".txt");
        try {
            Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx128m",
                    "-javaagent:" + AGENT_JAR.toAbsolutePath(),
                    "-cp", System.getProperty("java.class.path"), AgentProbe.class.getName()))
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("the probe JVM did not finish in 60 s");
            }
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertEquals("", printed, "the JVM with the agent must print nothing");
            assertEquals(0, p.exitValue(), "probe exit status");
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
