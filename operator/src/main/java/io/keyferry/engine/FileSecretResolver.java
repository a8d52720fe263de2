package io.keyferry.engine;

import io.keyferry.api.SecretKeyRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Secrets laid out as a mounted Secret volume: the value of {name, key} is the file DIR/name/key. */
public final class FileSecretResolver implements SecretResolver {
    private final Path dir;

    public FileSecretResolver(Path dir) {
        this.dir = dir;
    }

    @Override
    public String resolve(SecretKeyRef ref, String fieldPath) {
        if (dir == null) {
            throw new MigrationInputException(fieldPath + ": refers to secret " + ref
                    + " but no --secrets-dir was given; pass --secrets-dir DIR with the file DIR/" + ref);
        }
        Path file = dir.resolve(ref.getName()).resolve(ref.getKey()).normalize();
        if (!file.startsWith(dir.normalize())) {
            throw new MigrationInputException(fieldPath + ": secret name and key must not leave the secrets directory");
        }
        try {
            // Mounted secrets and hand-written files often end with a newline that is not part of the value.
            return Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            throw new MigrationInputException(fieldPath + ": cannot read secret " + ref + " from " + file
                    + " (" + e.getClass().getSimpleName() + "); create that file or fix the reference");
        }
    }
}
