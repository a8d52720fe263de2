package io.keyferry.engine.copy;

import io.keyferry.api.EndpointSpec;
import io.keyferry.api.PolicySpec;
import io.keyferry.engine.FileSecretResolver;
import io.keyferry.engine.probe.Prober;
import io.keyferry.engine.probe.ServerProfile;
import io.keyferry.engine.redis.Endpoints;
import io.keyferry.engine.redis.RedisLink;
import io.keyferry.testing.RedisServer;
import java.util.List;

/** A source and a target server, and a BatchCopier between them on links as a copy opens them. */
final class CopyFixture implements AutoCloseable {
    final RedisServer source = RedisServer.start();
    final RedisServer target;
    final Endpoints endpoints = new Endpoints(new FileSecretResolver(null));
    final RedisLink src;
    final RedisLink tgt;
    final BatchCopier copier;

    CopyFixture() {
        this(List.of());
    }

    CopyFixture(List<String> targetArgs) {
        target = RedisServer.start(targetArgs);
        src = endpoints.connect(endpoint(source.uri()), "spec.sources[0].endpoint", "source");
        tgt = endpoints.connect(endpoint(target.uri()), "spec.target.endpoint", "target");
        ServerProfile sourceProfile = new Prober().probe(src);
        ServerProfile targetProfile = new Prober().probe(tgt);
        copier = new BatchCopier("source", new BatchCopier.Links(src, tgt), targetProfile,
                key -> endpoints.openRaw(endpoint(target.uri()), "spec.target.endpoint", "target"),
                new PolicySpec(), PairStrategy.choose(sourceProfile, targetProfile), null);
    }

    static EndpointSpec endpoint(String uri) {
        EndpointSpec e = new EndpointSpec();
        e.setUri(uri);
        return e;
    }

    @Override
    public void close() {
        src.close();
        tgt.close();
        endpoints.close();
        target.close();
        source.close();
    }
}
