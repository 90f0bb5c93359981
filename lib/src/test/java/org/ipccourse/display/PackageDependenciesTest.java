package org.ipccourse.display;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PackageDependenciesTest {
    @Test
    void displayDependsOnNoMeasurementPackageSoThereIsNoCycle() throws IOException {
        Path display = Path.of("src/main/java/org/ipccourse/display");
        List<String> offenders;
        try (Stream<Path> files = Files.list(display)) {
            offenders = files.filter(f -> {
                try {
                    String text = Files.readString(f);
                    return text.contains("org.ipccourse.measure") || text.contains("org.ipccourse.pool");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(f -> f.getFileName().toString()).toList();
        }
        assertEquals(List.of(), offenders, "display is used by measure and must not use it back");
    }
}
