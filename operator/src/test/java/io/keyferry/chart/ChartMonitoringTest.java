package io.keyferry.chart;

import static io.keyferry.chart.ChartTest.FULLNAME;
import static io.keyferry.chart.ChartTest.NS;
import static io.keyferry.chart.ChartTest.get;
import static io.keyferry.chart.ChartTest.namesOf;
import static io.keyferry.chart.ChartTest.render;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The chart's monitoring: the Grafana dashboard ConfigMap, the PrometheusRule and the ServiceMonitor's labels. */
class ChartMonitoringTest {
    static final Path DASHBOARD = ChartTest.CHART.resolve("dashboards/keyferry.json");
    static final Path OPERATIONS = Path.of("../docs/operations.md");
    static final Set<String> ALERTS = Set.of("KeyFerryMigrationFailed", "KeyFerryMigrationStalled", "KeyFerryVerificationMismatches",
            "KeyFerryCopyNoProgress", "KeyFerrySyncLagging", "KeyFerryOperatorNoLeader", "KeyFerryReconcileErrors");

    @Test
    void theDashboardIsAConfigMapLabelledForTheGrafanaSidecarOnlyWhenEnabled() throws IOException {
        assertEquals(Set.of(), namesOf(render(), "ConfigMap"));
        ConfigMap cm = get(render("grafana.dashboards.enabled=true"), ConfigMap.class, NS, FULLNAME + "-dashboard");
        assertEquals("1", cm.getMetadata().getLabels().get("grafana_dashboard"));
        assertEquals(Files.readString(DASHBOARD).strip(), cm.getData().get("keyferry.json").strip(), "the file, unchanged");
        JsonNode dashboard = new ObjectMapper().readTree(cm.getData().get("keyferry.json"));
        assertEquals("keyferry", dashboard.path("uid").asText());
        assertEquals(List.of("datasource", "namespace", "migration"), names(dashboard.path("templating").path("list")));

        ConfigMap elsewhere = get(render("grafana.dashboards.enabled=true", "grafana.dashboards.namespace=monitoring",
                        "grafana.dashboards.label=dash", "grafana.dashboards.labelValue=yes",
                        "grafana.dashboards.annotations.grafana_folder=KeyFerry"),
                ConfigMap.class, "monitoring", FULLNAME + "-dashboard");
        assertEquals("yes", elsewhere.getMetadata().getLabels().get("dash"));
        assertEquals("KeyFerry", elsewhere.getMetadata().getAnnotations().get("grafana_folder"));
    }

    @Test
    void thePrometheusRuleHasEveryAlertWithASeverityAndARunbookSectionInOperationsMd() throws IOException {
        assertEquals(Set.of(), namesOf(render(), "PrometheusRule"));
        List<Map<String, Object>> rules = rules(render("prometheusRule.enabled=true", "prometheusRule.labels.release=prom"));
        assertEquals(ALERTS, rules.stream().map(r -> (String) r.get("alert")).collect(Collectors.toSet()));
        Set<String> anchors = anchors(Files.readString(OPERATIONS));
        for (Map<String, Object> r : rules) {
            Map<?, ?> labels = (Map<?, ?>) r.get("labels");
            Map<?, ?> annotations = (Map<?, ?>) r.get("annotations");
            assertTrue(Set.of("warning", "critical").contains(labels.get("severity")), r.toString());
            String runbook = (String) annotations.get("runbook_url");
            assertEquals("https://github.com/keyferry/keyferry/blob/main/docs/operations.md#"
                    + ((String) r.get("alert")).toLowerCase(Locale.ROOT), runbook);
            assertTrue(anchors.contains(runbook.substring(runbook.indexOf('#') + 1)),
                    "docs/operations.md has a section " + r.get("alert") + " for its runbook_url");
            String summary = (String) annotations.get("summary");
            assertTrue(!((String) r.get("expr")).contains("migration)") || summary.contains("{{ $labels.migration }}"),
                    "a migration's alert names it: " + r);
        }
    }

    @Test
    void alertThresholdsAndWindowsComeFromTheValuesAndBadDurationsAreRefused() {
        List<Map<String, Object>> rules = rules(render("prometheusRule.enabled=true", "prometheusRule.noProgressFor=20m",
                "prometheusRule.runbookUrl=https://wiki.example/keyferry"));
        Map<String, Object> noProgress = rule(rules, "KeyFerryCopyNoProgress");
        assertEquals("20m", noProgress.get("for"));
        assertTrue(((String) noProgress.get("expr")).contains("increase(keyferry_keys_scanned_total[20m])"), noProgress.toString());
        assertTrue(((String) rule(rules, "KeyFerryReconcileErrors").get("expr")).endsWith("> 0"));
        Map<String, Object> lagging = rule(rules(render("prometheusRule.enabled=true", "prometheusRule.syncLagSeconds=12")),
                "KeyFerrySyncLagging");
        assertTrue(((String) lagging.get("expr")).endsWith("(keyferry_sync_lag_seconds) > 12"), lagging.toString());
        assertEquals("5m", lagging.get("for"));
        assertEquals("https://wiki.example/keyferry#keyferryoperatornoleader",
                ((Map<?, ?>) rule(rules, "KeyFerryOperatorNoLeader").get("annotations")).get("runbook_url"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> render("prometheusRule.enabled=true", "prometheusRule.stalledFor=soon"));
        assertTrue(e.getMessage().contains("/prometheusRule/stalledFor"), e.getMessage());
    }

    @Test
    void theServiceMonitorKeepsTheMigrationsNamespaceLabel() {
        GenericKubernetesResource monitor = get(render("metrics.serviceMonitor.enabled=true"), GenericKubernetesResource.class,
                NS, FULLNAME);
        assertEquals(true, monitor.<List<Map<String, Object>>>get("spec", "endpoints").get(0).get("honorLabels"),
                "KeyFerry's `namespace` label is the migration's, not the operator pod's");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rules(List<HasMetadata> objects) {
        GenericKubernetesResource rule = get(objects, GenericKubernetesResource.class, NS, FULLNAME);
        assertEquals("monitoring.coreos.com/v1", rule.getApiVersion());
        return rule.<List<Map<String, Object>>>get("spec", "groups").stream()
                .flatMap(g -> ((List<Map<String, Object>>) g.get("rules")).stream()).toList();
    }

    private static Map<String, Object> rule(List<Map<String, Object>> rules, String alert) {
        return rules.stream().filter(r -> alert.equals(r.get("alert"))).findFirst().orElseThrow();
    }

    private static List<String> names(JsonNode list) {
        List<String> out = new java.util.ArrayList<>();
        list.forEach(v -> out.add(v.path("name").asText()));
        return out;
    }

    /** The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces as dashes. */
    static Set<String> anchors(String markdown) {
        return markdown.lines().filter(l -> l.startsWith("#")).map(l -> l.replaceFirst("^#+\\s*", "").strip()
                .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-')).collect(Collectors.toSet());
    }
}
