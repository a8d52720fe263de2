package io.keyferry.engine;

import io.keyferry.api.DataMigrationSpec;
import io.keyferry.api.EndpointSpec;
import io.keyferry.api.Policy;
import io.keyferry.api.SourceSpec;
import io.keyferry.api.TargetSpec;
import io.keyferry.engine.checkpoint.FileCheckpointStore;
import io.keyferry.engine.verify.VerifyResult;
import io.keyferry.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds specs in code and runs the engine the way `keyferry run` does. */
final class Copies {
    private Copies() {}

    static DataMigrationSpec spec(RedisServer target, Policy defaultPolicy, RedisServer... sources) {
        DataMigrationSpec spec = into(target.uri(), defaultPolicy);
        for (int i = 0; i < sources.length; i++) {
            spec.getSources().add(source("source-" + i, sources[i].uri()));
        }
        return spec;
    }

    /** One source into a target, both given by URI (a store double in front of a server, say). */
    static DataMigrationSpec spec(String sourceName, String sourceUri, String targetUri, Policy defaultPolicy) {
        DataMigrationSpec spec = into(targetUri, defaultPolicy);
        spec.getSources().add(source(sourceName, sourceUri));
        return spec;
    }

    private static DataMigrationSpec into(String targetUri, Policy defaultPolicy) {
        DataMigrationSpec spec = new DataMigrationSpec();
        TargetSpec t = new TargetSpec();
        t.setEndpoint(endpoint(targetUri));
        spec.setTarget(t);
        spec.getPolicies().setDefaultPolicy(defaultPolicy);
        return spec;
    }

    static SourceSpec source(String name, String uri) {
        SourceSpec s = new SourceSpec();
        s.setName(name);
        s.setEndpoint(endpoint(uri));
        return s;
    }

    static EndpointSpec endpoint(String uri) {
        EndpointSpec e = new EndpointSpec();
        e.setUri(uri);
        return e;
    }

    static CopyResult run(DataMigrationSpec spec) {
        try {
            return run(spec, Files.createTempDirectory("keyferry-state-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Verifies the target as `keyferry verify` does, with a short pause between rounds. */
    static VerifyResult verify(DataMigrationSpec spec, boolean repair) {
        spec.getVerify().setRoundPauseSeconds(0);
        try (Migration m = Migration.verifyOnly("test", spec, new FileSecretResolver(null))) {
            m.prepare();
            return m.verify(ProgressListener.NONE, repair);
        }
    }

    static CopyResult run(DataMigrationSpec spec, Path stateDir) {
        try (FileCheckpointStore store = new FileCheckpointStore(stateDir);
             Migration m = new Migration("test", spec, new FileSecretResolver(null), store)) {
            m.prepare();
            return m.copy(ProgressListener.NONE);
        }
    }
}
