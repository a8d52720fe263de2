package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The launcher's archive training runs each command to its first refused connection and leaves nothing behind
 * (KubectlLauncherIT and QuickstartIT check that the real launcher's archives are made and can be mapped).
 */
class ClassDataTrainingTest {

    @Test
    void bothTrainingsEndWithoutThrowingAndRemoveTheirFiles() throws IOException {
        long before = leftovers();

        ClassDataTraining.main(new String[] {"run"});
        ClassDataTraining.main(new String[] {"kubectl"});

        assertEquals(before, leftovers(), "no temporary directory left");
    }

    private static long leftovers() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("keyferry-class-data-")).count();
        }
    }
}
