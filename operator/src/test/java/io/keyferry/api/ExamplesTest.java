package io.keyferry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every manifest in examples/ is a valid DataMigration, as `keyferry run` reads it. */
class ExamplesTest {
    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("../examples"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void isAValidDataMigration(Path example) throws IOException {
        DataMigration dm = ManifestLoader.load(example);
        assertFalse(dm.getSpec().getSources().isEmpty());
        assertEquals(DataMigration.API_VERSION, dm.getApiVersion());
        assertFalse(Files.readString(example).lines().findFirst().orElse("").isBlank(), "starts with its explanation");
    }
}
