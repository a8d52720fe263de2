package io.keyferry.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The RBAC that the Helm chart gives the operator and the workers, installed as the release {@value #RELEASE}
 * in the namespace {@value #RELEASE_NAMESPACE} (where the Lease lives) watching one namespace, where the
 * workers run too. The operator tests record what the operator and the workers send ({@link ApiRequests}) and
 * check it here, as an API server enforcing the chart's RBAC would.
 */
public final class ChartRbac {
    public static final String OPERATOR = "operator";
    public static final String WORKER = "worker";
    public static final String RELEASE = "kf";
    public static final String RELEASE_NAMESPACE = "keyferry";
    private static final Map<String, ChartRbac> RENDERED = new ConcurrentHashMap<>();

    private final Map<String, Rbac> components;
    private final List<String> operatorArgs;

    private ChartRbac(Map<String, Rbac> components, List<String> operatorArgs) {
        this.components = components;
        this.operatorArgs = operatorArgs;
    }

    /** The chart rendered with {@code watchNamespaces[0]=NAMESPACE} (once per namespace and JVM). */
    public static ChartRbac watching(String namespace) {
        return RENDERED.computeIfAbsent(namespace, ns -> {
            List<HasMetadata> objects = Chart.render(RELEASE, RELEASE_NAMESPACE, "watchNamespaces[0]=" + ns);
            Deployment deployment = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast)
                    .findFirst().orElseThrow();
            List<String> args = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs();
            String account = deployment.getSpec().getTemplate().getSpec().getServiceAccountName();
            return new ChartRbac(Map.of(OPERATOR, Rbac.of(objects, RELEASE_NAMESPACE, account),
                    WORKER, Rbac.of(objects, ns, argAfter(args, "--worker-service-account"))), args);
        });
    }

    /** The value after {@code option} in the operator's container args, as the chart renders them. */
    public String operatorArg(String option) {
        return argAfter(operatorArgs, option);
    }

    private static String argAfter(List<String> args, String option) {
        int i = args.indexOf(option);
        if (i < 0) {
            throw new AssertionError("the chart does not pass " + option + " to the operator: " + args);
        }
        return args.get(i + 1);
    }

    /**
     * What an API server answers the operator's SelfSubjectRulesReview for {@code namespace} (JOSDK asks before it
     * elects a leader; the mock server cannot answer it): the chart's rules for the operator there.
     */
    public SelfSubjectRulesReview operatorRulesReview(String namespace) {
        return new SelfSubjectRulesReviewBuilder().withNewSpec().withNamespace(namespace).endSpec()
                .withNewStatus().withIncomplete(false)
                .withResourceRules(components.get(OPERATOR).rulesIn(namespace).stream()
                        .map(r -> new ResourceRule(r.getApiGroups(), r.getResourceNames(), r.getResources(), r.getVerbs()))
                        .toList())
                .endStatus().build();
    }

    /** How many verbs on resources the chart grants each component. */
    public Map<String, Integer> sizes() {
        return Map.of(OPERATOR, components.get(OPERATOR).size(), WORKER, components.get(WORKER).size());
    }

    /** Fails with every kind of request a component sent that the chart's rules for it do not allow. */
    public void assertAllowed(List<ApiRequest> requests) {
        Set<String> refused = new TreeSet<>();
        for (ApiRequest r : requests) {
            Rbac rbac = components.get(r.component());
            if (rbac == null || !rbac.allows(r)) {
                refused.add(r + (rbac == null ? ": no such component" : ": not granted to " + rbac.account()));
            }
        }
        assertEquals(Set.of(), refused, "requests that an API server enforcing the chart's RBAC refuses (403); grant them"
                + " in charts/keyferry/templates and list them in docs/operator.md, Permissions");
    }

    /**
     * Fails unless the verbs on resources that the chart grants and no request used are exactly those in {@code
     * grantedAllTheSame} (`component: group/resource[names]: verb`, as in the failure message, with the reason).
     */
    public void assertEveryGrantUsed(List<ApiRequest> requests, Map<String, String> grantedAllTheSame) {
        Set<String> unused = new LinkedHashSet<>();
        components.forEach((component, rbac) -> rbac.unused(requests.stream().filter(r -> r.component().equals(component)).toList())
                .forEach(p -> unused.add(component + ": " + p)));
        assertEquals(new TreeSet<>(grantedAllTheSame.keySet()), new TreeSet<>(unused), "the grants no request used, against"
                + " those granted for a reason: remove a grant nothing uses from charts/keyferry/templates and docs/operator.md,"
                + " or say why it is needed");
    }
}
