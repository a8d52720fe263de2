package io.keyferry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** Every engine class is loaded by the training, so the archive holds them all (none is run). */
    @Test
    void theTrainingLoadsEveryEngineClassWithoutRunningIt() throws Exception {
        Path classes = Path.of(ClassDataTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        long engine;
        try (var files = Files.walk(classes.resolve("io/keyferry/engine"))) {
            engine = files.filter(f -> f.toString().endsWith(".class")).count();
        }

        assertEquals(engine, ClassDataTraining.loadEngine());
        assertTrue(engine > 200, "the engine's classes were found: " + engine);
    }

    private static long leftovers() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(f -> f.getFileName().toString().startsWith("keyferry-class-data-")).count();
        }
    }
}
