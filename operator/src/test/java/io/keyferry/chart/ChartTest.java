package io.keyferry.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.keyferry.cli.Main;
import io.keyferry.reconciler.OperatorConfig;
import io.keyferry.testing.Chart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The Helm chart, rendered offline with helm-java: what it installs in each configuration, the exact RBAC
 * rules of the operator and of its workers, and the operator's pod. Values are set as with `--set`.
 */
class ChartTest {
    static final Path CHART = Chart.DIR;
    static final Path CRD = Path.of("../crds/datamigrations.keyferry.io-v1.yml");
    static final Path CHART_CRD = CHART.resolve("crds/datamigrations.keyferry.io-v1.yml");
    static final String RELEASE = "kf";
    static final String NS = "keyferry-system";
    static final String FULLNAME = "kf-keyferry";
    static final String CLUSTER_NAME = FULLNAME + "-" + NS;
    static final String WORKER_ACCOUNT = "keyferry-worker";
    static final String IMAGE = "ghcr.io/keyferry/keyferry:0.1.0";

    /**
     * docs/operator.md, Permissions (PermissionsOperatorTest checks them against the requests the operator sends);
     * finalizers for the blocking owner references of Jobs and ConfigMaps.
     */
    static final List<String> OPERATOR_RULES = List.of(
            "keyferry.io/datamigrations: list,watch,patch",
            "keyferry.io/datamigrations/status: update",
            "keyferry.io/datamigrations/finalizers: update",
            "batch/jobs: list,watch,create,delete",
            "/configmaps: list,watch,create,delete",
            "/secrets: get",
            "/events: create", "/pods: list", "/serviceaccounts: get");
    static final List<String> LEASE_RULES = List.of(
            "coordination.k8s.io/leases: create",
            "coordination.k8s.io/leases[" + FULLNAME + "]: get,update,patch");
    static final List<String> LEASE_CHECK_RULES = List.of("authorization.k8s.io/selfsubjectrulesreviews: create");
    static final List<String> WORKER_RULES = List.of("/configmaps: get,patch");

    @Test
    void lintsCleanInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertFalse(lint.isFailed(), String.join("\n", lint.getMessages()));
    }

    @Test
    void carriesTheTopLevelCrdByteForByte() throws IOException {
        assertEquals(-1L, Files.mismatch(CRD, CHART_CRD),
                "the chart's CRD differs from crds/; run: cp crds/datamigrations.keyferry.io-v1.yml charts/keyferry/crds/");
    }

    @Test
    void watchingAllNamespacesGrantsOneClusterRoleAndTheLeaseOnlyInTheReleaseNamespace() {
        List<HasMetadata> objects = render();
        assertEquals(Set.of(
                "ServiceAccount " + NS + "/" + FULLNAME,
                "ClusterRole " + CLUSTER_NAME, "ClusterRoleBinding " + CLUSTER_NAME,
                "Role " + NS + "/" + FULLNAME + "-leader-election", "RoleBinding " + NS + "/" + FULLNAME + "-leader-election",
                "ClusterRole " + CLUSTER_NAME + "-lease-check", "ClusterRoleBinding " + CLUSTER_NAME + "-lease-check",
                "ServiceAccount " + NS + "/" + WORKER_ACCOUNT,
                "Role " + NS + "/" + FULLNAME + "-worker", "RoleBinding " + NS + "/" + FULLNAME + "-worker",
                "Service " + NS + "/" + FULLNAME + "-metrics",
                "Deployment " + NS + "/" + FULLNAME), inventory(objects));
        assertEquals(OPERATOR_RULES, rules(get(objects, ClusterRole.class, null, CLUSTER_NAME).getRules()));
        ClusterRoleBinding binding = get(objects, ClusterRoleBinding.class, null, CLUSTER_NAME);
        assertBindsOperator(binding.getRoleRef(), binding.getSubjects(), "ClusterRole", CLUSTER_NAME);
        assertLeaderElectionGranted(objects);
        assertWorkerAccountIn(objects, NS);
        assertNull(argAfter(container(objects), "--namespaces"), "no --namespaces: all of them");
    }

    @Test
    void workerNamespacesGetTheWorkerAccountWhenWatchingAll() {
        List<HasMetadata> objects = render("workerNamespaces[0]=apps", "workerNamespaces[1]=" + NS);
        assertEquals(Set.of(NS, "apps"), namespacesOf(objects, "ServiceAccount", WORKER_ACCOUNT));
        assertWorkerAccountIn(objects, NS);
        assertWorkerAccountIn(objects, "apps");
        assertEquals(OPERATOR_RULES, rules(get(objects, ClusterRole.class, null, CLUSTER_NAME).getRules()));
    }

    @Test
    void watchedNamespacesGetARoleAndTheWorkerAccountEachAndTheLeaseStaysInTheReleaseNamespace() {
        List<HasMetadata> objects = render("watchNamespaces[0]=team-a", "watchNamespaces[1]=team-b");
        for (String ns : List.of("team-a", "team-b")) {
            assertEquals(OPERATOR_RULES, rules(get(objects, Role.class, ns, FULLNAME).getRules()), ns);
            RoleBinding binding = get(objects, RoleBinding.class, ns, FULLNAME);
            assertBindsOperator(binding.getRoleRef(), binding.getSubjects(), "Role", FULLNAME);
            assertWorkerAccountIn(objects, ns);
        }
        assertEquals(Set.of("team-a", "team-b"), namespacesOf(objects, "Role", FULLNAME));
        assertEquals(Set.of("team-a", "team-b"), namespacesOf(objects, "ServiceAccount", WORKER_ACCOUNT),
                "workers run only where migrations are watched");
        assertEquals(Set.of(CLUSTER_NAME + "-lease-check"), namesOf(objects, "ClusterRole"),
                "no cluster-wide operator rules when namespaces are listed");
        assertLeaderElectionGranted(objects);
        assertEquals("team-a,team-b", argAfter(container(objects), "--namespaces"));
        assertFalse(container(objects).getArgs().contains("--no-leader-election"));
    }

    @Test
    void eachReleaseHasALeaseOfItsOwnAndMayUseOnlyThatOne() {
        for (String release : List.of(RELEASE, "other")) {
            List<HasMetadata> objects = Chart.render(release, NS);
            String lease = argAfter(container(objects, release + "-keyferry"), "--lease-name");
            assertEquals(release + "-keyferry", lease);
            assertEquals(List.of("coordination.k8s.io/leases: create", "coordination.k8s.io/leases[" + lease + "]: get,update,patch"),
                    rules(get(objects, Role.class, NS, lease + "-leader-election").getRules()));
        }
    }

    @Test
    void withoutLeaderElectionNoLeaseIsGrantedAndTheOneReplicaIsReplacedNotRolled() {
        List<HasMetadata> objects = render("leaderElection.enabled=false", "watchNamespaces[0]=team-a");
        assertEquals(Set.of(), namesOf(objects, "ClusterRole"));
        assertEquals(Set.of("team-a/" + FULLNAME, "team-a/" + FULLNAME + "-worker"), namespacedNamesOf(objects, "Role"));
        assertTrue(container(objects).getArgs().contains("--no-leader-election"));
        assertNull(argAfter(container(objects), "--lease-name"));
        Deployment deployment = get(objects, Deployment.class, NS, FULLNAME);
        assertEquals("Recreate", deployment.getSpec().getStrategy().getType());
        assertEquals(1, deployment.getSpec().getReplicas());
    }

    @Test
    void operatorPodIsHardenedAndProbedOnHealthAndReadiness() {
        List<HasMetadata> objects = render();
        PodSpec pod = get(objects, Deployment.class, NS, FULLNAME).getSpec().getTemplate().getSpec();
        assertEquals(FULLNAME, pod.getServiceAccountName());
        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        Container c = container(objects);
        assertTrue(c.getSecurityContext().getRunAsNonRoot());
        assertTrue(c.getSecurityContext().getReadOnlyRootFilesystem());
        assertFalse(c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals(List.of(), c.getSecurityContext().getCapabilities().getAdd());
        assertEquals("/healthz", c.getLivenessProbe().getHttpGet().getPath());
        assertEquals("/readyz", c.getReadinessProbe().getHttpGet().getPath());
        assertEquals("http", c.getLivenessProbe().getHttpGet().getPort().getStrVal());
        assertEquals("http", c.getPorts().get(0).getName());
        assertEquals(8080, c.getPorts().get(0).getContainerPort());
        assertEquals("8080", argAfter(c, "--port"));
        assertEquals("/tmp", c.getVolumeMounts().get(0).getMountPath());
        assertTrue(pod.getVolumes().get(0).getEmptyDir() != null, "/tmp is an emptyDir");
        assertEquals("metadata.namespace", c.getEnv().stream().filter(e -> e.getName().equals("POD_NAMESPACE"))
                .findFirst().orElseThrow().getValueFrom().getFieldRef().getFieldPath());
        assertEquals(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")), c.getResources().getRequests());
        assertEquals(Map.of("memory", new Quantity("512Mi")), c.getResources().getLimits());
    }

    @Test
    void operatorAndWorkersRunTheSameImageAndTheWorkerAccountTheChartCreates() {
        Container defaults = container(render());
        assertEquals(List.of("operator"), defaults.getArgs().subList(0, 1), "the image's entry point is keyferry");
        assertEquals(IMAGE, defaults.getImage());
        assertEquals(IMAGE, argAfter(defaults, "--worker-image"));
        assertEquals(OperatorConfig.DEFAULT_WORKER_SERVICE_ACCOUNT, argAfter(defaults, "--worker-service-account"));

        List<HasMetadata> objects = render("image.repository=registry.example.com/kf", "image.tag=1.2.3",
                "worker.serviceAccount.name=migrator", "resources.limits.memory=1Gi", "resources.requests.cpu=250m");
        Container c = container(objects);
        assertEquals("registry.example.com/kf:1.2.3", c.getImage());
        assertEquals("registry.example.com/kf:1.2.3", argAfter(c, "--worker-image"));
        assertEquals("migrator", argAfter(c, "--worker-service-account"));
        assertEquals(Set.of(NS), namespacesOf(objects, "ServiceAccount", "migrator"));
        assertEquals(new Quantity("1Gi"), c.getResources().getLimits().get("memory"));
        assertEquals(new Quantity("250m"), c.getResources().getRequests().get("cpu"));
    }

    @Test
    void workerPodTemplateReachesTheOperatorAsJsonItParses() {
        Container c = container(render("worker.podTemplate.nodeSelector.pool=batch",
                "worker.podTemplate.annotations.sidecar\\.istio\\.io/inject=false"));
        io.keyferry.api.WorkerPodTemplate t = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
                argAfter(c, "--worker-pod-template"), io.keyferry.api.WorkerPodTemplate.class);
        assertEquals(java.util.Map.of("pool", "batch"), t.getNodeSelector());
        assertEquals(java.util.Map.of("sidecar.istio.io/inject", "false"), t.getAnnotations());
        assertEquals(-1, container(render()).getArgs().indexOf("--worker-pod-template"), "none by default");
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void argumentsAreOptionsOfKeyferryOperator(List<String> values) {
        List<String> args = container(render(values.toArray(String[]::new))).getArgs();
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
        assertEquals("operator", parsed.subcommand().commandSpec().name());
        assertEquals(List.of(), parsed.subcommand().unmatched());
    }

    @ParameterizedTest
    @MethodSource("configurations")
    void noRuleGrantsAnythingByWildcard(List<String> values) {
        for (HasMetadata o : render(values.toArray(String[]::new))) {
            List<PolicyRule> rules = o instanceof Role r ? r.getRules() : o instanceof ClusterRole cr ? cr.getRules() : List.of();
            for (PolicyRule rule : rules) {
                Stream.of(rule.getApiGroups(), rule.getResources(), rule.getVerbs(), rule.getResourceNames(),
                                rule.getNonResourceURLs())
                        .flatMap(List::stream)
                        .forEach(s -> assertFalse(s.contains("*"), o.getKind() + " " + o.getMetadata().getName() + ": " + s));
            }
        }
    }

    static Stream<List<String>> configurations() {
        return Stream.of(List.of(), List.of("workerNamespaces[0]=apps"),
                List.of("watchNamespaces[0]=team-a", "watchNamespaces[1]=team-b"),
                List.of("watchNamespaces[0]=team-a", "leaderElection.enabled=false"),
                List.of("worker.podTemplate.priorityClassName=low"));
    }

    @Test
    void serviceMonitorScrapesTheMetricsServiceOnlyWhenEnabled() {
        assertEquals(Set.of(), namesOf(render(), "ServiceMonitor"));
        List<HasMetadata> objects = render("metrics.serviceMonitor.enabled=true", "metrics.serviceMonitor.labels.release=prom");
        GenericKubernetesResource monitor = get(objects, GenericKubernetesResource.class, NS, FULLNAME);
        assertEquals("monitoring.coreos.com/v1", monitor.getApiVersion());
        assertEquals("prom", monitor.getMetadata().getLabels().get("release"));
        Service service = get(objects, Service.class, NS, FULLNAME + "-metrics");
        assertTrue(service.getMetadata().getLabels().entrySet().containsAll(
                        monitor.<Map<String, String>>get("spec", "selector", "matchLabels").entrySet()),
                "the ServiceMonitor selects the metrics Service");
        assertEquals(service.getSpec().getPorts().get(0).getName(),
                monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0).get("port"));
        assertEquals("/metrics", monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0).get("path"));
        assertEquals(get(objects, Deployment.class, NS, FULLNAME).getSpec().getSelector().getMatchLabels(),
                service.getSpec().getSelector());
    }

    @Test
    void valuesThatCannotWorkAreRefusedWithTheReason() {
        assertRefused("replicaCount > 1 needs leaderElection.enabled", "leaderElection.enabled=false", "replicaCount=2");
        assertRefused("leave workerNamespaces empty", "watchNamespaces[0]=team-a", "workerNamespaces[0]=apps");
        assertRefused("/watchNamespaces", "watchNamespaces=team-a");
    }

    private static void assertRefused(String reason, String... values) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> render(values));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    private static void assertLeaderElectionGranted(List<HasMetadata> objects) {
        String name = FULLNAME + "-leader-election";
        assertEquals(Set.of(NS), namespacesOf(objects, "Role", name), "the Lease only in the release namespace");
        assertEquals(LEASE_RULES, rules(get(objects, Role.class, NS, name).getRules()));
        RoleBinding binding = get(objects, RoleBinding.class, NS, name);
        assertBindsOperator(binding.getRoleRef(), binding.getSubjects(), "Role", name);
        assertEquals(LEASE_CHECK_RULES, rules(get(objects, ClusterRole.class, null, CLUSTER_NAME + "-lease-check").getRules()));
        ClusterRoleBinding check = get(objects, ClusterRoleBinding.class, null, CLUSTER_NAME + "-lease-check");
        assertBindsOperator(check.getRoleRef(), check.getSubjects(), "ClusterRole", CLUSTER_NAME + "-lease-check");
    }

    private static void assertBindsOperator(RoleRef ref, List<Subject> subjects, String kind, String role) {
        assertBinds(ref, subjects, kind + " " + role, "ServiceAccount " + NS + "/" + FULLNAME);
    }

    private static void assertBinds(RoleRef ref, List<Subject> subjects, String role, String subject) {
        assertEquals(role, ref.getKind() + " " + ref.getName());
        assertEquals(List.of(subject), subjects.stream().map(s -> s.getKind() + " " + s.getNamespace() + "/" + s.getName()).toList());
    }

    private static void assertWorkerAccountIn(List<HasMetadata> objects, String ns) {
        String account = argAfter(container(objects), "--worker-service-account");
        get(objects, ServiceAccount.class, ns, account);
        assertEquals(WORKER_RULES, rules(get(objects, Role.class, ns, FULLNAME + "-worker").getRules()), ns);
        RoleBinding binding = get(objects, RoleBinding.class, ns, FULLNAME + "-worker");
        assertBinds(binding.getRoleRef(), binding.getSubjects(), "Role " + FULLNAME + "-worker", "ServiceAccount " + ns + "/" + account);
    }

    /** `helm template kf ../charts/keyferry -n keyferry-system --set ...`, parsed. */
    static List<HasMetadata> render(String... values) {
        return Chart.render(RELEASE, NS, values);
    }

    /** A rule as one line: `group/resource[names]: verbs`. */
    static List<String> rules(List<PolicyRule> rules) {
        return rules.stream().map(r -> String.join(",", r.getApiGroups()) + "/" + String.join(",", r.getResources())
                + (r.getResourceNames().isEmpty() ? "" : "[" + String.join(",", r.getResourceNames()) + "]")
                + ": " + String.join(",", r.getVerbs())).toList();
    }

    static Set<String> inventory(List<HasMetadata> objects) {
        return objects.stream().map(o -> o.getKind() + " " + qualifiedName(o)).collect(Collectors.toCollection(TreeSet::new));
    }

    static Set<String> namesOf(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(o -> o.getKind().equals(kind)).map(o -> o.getMetadata().getName()).collect(Collectors.toSet());
    }

    static Set<String> namespacedNamesOf(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(o -> o.getKind().equals(kind)).map(ChartTest::qualifiedName).collect(Collectors.toSet());
    }

    static Set<String> namespacesOf(List<HasMetadata> objects, String kind, String name) {
        return objects.stream().filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
                .map(o -> o.getMetadata().getNamespace()).collect(Collectors.toSet());
    }

    private static String qualifiedName(HasMetadata o) {
        return o.getMetadata().getNamespace() == null ? o.getMetadata().getName()
                : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    static <T extends HasMetadata> T get(List<HasMetadata> objects, Class<T> type, String namespace, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> name.equals(o.getMetadata().getName()) && Objects.equals(namespace, o.getMetadata().getNamespace()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + namespace + "/" + name
                        + " in " + inventory(objects)));
    }

    static Container container(List<HasMetadata> objects) {
        return container(objects, FULLNAME);
    }

    static Container container(List<HasMetadata> objects, String deployment) {
        List<Container> containers = get(objects, Deployment.class, NS, deployment).getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }

    /** The value after an option in the container's args, or null when the option is absent. */
    static String argAfter(Container c, String option) {
        int i = c.getArgs().indexOf(option);
        return i < 0 ? null : c.getArgs().get(i + 1);
    }
}
