package io.keyferry.testing;

import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Records every request that the clients made here send to the Kubernetes API, each under the component it
 * was made for (the operator, the workers), as the HTTP client sends it: the method is the one on the wire,
 * whatever the calling code asked for.
 */
public final class ApiRequests {
    private final List<ApiRequest> recorded = new CopyOnWriteArrayList<>();

    /**
     * A client of the same server as {@code base}, recording as {@code component}. {@code http} adds to its HTTP
     * client, before the recorder: a request that an interceptor it adds refuses to send is not recorded.
     */
    public KubernetesClient client(KubernetesClient base, String component, Consumer<HttpClient.Builder> http) {
        Interceptor recorder = new Interceptor() {
            @Override
            public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
                recorded.add(ApiRequest.of(component, request.method(), request.uri()));
            }
        };
        return new KubernetesClientBuilder().withConfig(new ConfigBuilder(base.getConfiguration()).build())
                .withHttpClientBuilderConsumer(b -> {
                    http.accept(b);
                    b.addOrReplaceInterceptor("keyferry-test-recorder", recorder);
                })
                .build();
    }

    public KubernetesClient client(KubernetesClient base, String component) {
        return client(base, component, b -> { });
    }

    /** Everything recorded so far, in order. */
    public List<ApiRequest> all() {
        return List.copyOf(recorded);
    }
}
