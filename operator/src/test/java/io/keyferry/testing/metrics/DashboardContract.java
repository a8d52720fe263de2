package io.keyferry.testing.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.keyferry.testing.Chart;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The chart's Grafana dashboard and PrometheusRule, rendered with both enabled, as the queries they run: each
 * dashboard target (with its legend), template variable and annotation, and each alert expression.
 */
public final class DashboardContract {
    /** A query and where it is, to name it in a failure; legend is the Grafana legend format or null. */
    public record Query(String where, String expr, String legend) {}

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");
    private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");

    private final JsonNode dashboard;
    private final List<Map<String, Object>> rules;

    private DashboardContract(JsonNode dashboard, List<Map<String, Object>> rules) {
        this.dashboard = dashboard;
        this.rules = rules;
    }

    /** Renders the chart with grafana.dashboards.enabled and prometheusRule.enabled and parses what they ship. */
    @SuppressWarnings("unchecked")
    public static DashboardContract ofChart() throws java.io.IOException {
        List<HasMetadata> objects = Chart.render("kf", "monitoring", "grafana.dashboards.enabled=true", "prometheusRule.enabled=true");
        ConfigMap cm = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast).findFirst().orElseThrow();
        JsonNode dashboard = new ObjectMapper().readTree(cm.getData().values().iterator().next());
        GenericKubernetesResource rule = objects.stream().filter(o -> o.getKind().equals("PrometheusRule"))
                .map(GenericKubernetesResource.class::cast).findFirst().orElseThrow();
        List<Map<String, Object>> rules = new ArrayList<>();
        for (Map<String, Object> group : rule.<List<Map<String, Object>>>get("spec", "groups")) {
            rules.addAll((List<Map<String, Object>>) group.get("rules"));
        }
        return new DashboardContract(dashboard, rules);
    }

    public JsonNode dashboard() {
        return dashboard;
    }

    public List<Map<String, Object>> rules() {
        return rules;
    }

    public List<Query> queries() {
        List<Query> out = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode t : panel.path("targets")) {
                out.add(new Query("panel \"" + panel.path("title").asText() + "\"", t.path("expr").asText(),
                        t.hasNonNull("legendFormat") ? t.path("legendFormat").asText() : null));
            }
        }
        for (JsonNode v : dashboard.path("templating").path("list")) {
            Matcher m = LABEL_VALUES.matcher(v.path("query").isObject() ? v.path("query").path("query").asText() : v.path("query").asText());
            if (v.path("type").asText().equals("query") && m.matches()) {
                out.add(new Query("variable $" + v.path("name").asText(), "max by (" + m.group(2) + ") (" + m.group(1) + ")", null));
            }
        }
        for (JsonNode an : dashboard.path("annotations").path("list")) {
            if (an.hasNonNull("expr")) {
                out.add(new Query("annotation \"" + an.path("name").asText() + "\"", an.path("expr").asText(),
                        an.path("titleFormat").asText(null)));
            }
        }
        for (Map<String, Object> r : rules) {
            out.add(new Query("alert " + r.get("alert"), String.valueOf(r.get("expr")), null));
        }
        return out;
    }

    /**
     * What a query uses that no scrape served: a metric, a label of its selector, a label it groups or joins by,
     * or a label its legend shows. Empty when everything is served.
     */
    public List<String> unserved(Map<String, Set<String>> seen) {
        List<String> problems = new ArrayList<>();
        for (Query q : queries()) {
            Set<String> available = new LinkedHashSet<>();
            List<PromQuery.Use> uses = PromQuery.uses(q.expr());
            if (uses.isEmpty()) {
                problems.add(q.where() + ": no metric in " + q.expr());
            }
            for (PromQuery.Use u : uses) {
                Set<String> labels = seen.get(u.metric());
                if (labels == null) {
                    problems.add(q.where() + ": " + u.metric() + " is not served");
                    continue;
                }
                available.addAll(labels);
                u.labels().stream().filter(l -> !labels.contains(l))
                        .forEach(l -> problems.add(q.where() + ": " + u.metric() + " has no label " + l));
            }
            Set<String> grouping = PromQuery.groupingLabels(q.expr());
            grouping.stream().filter(l -> !available.contains(l))
                    .forEach(l -> problems.add(q.where() + ": no metric of " + q.expr() + " has the label " + l));
            if (q.legend() != null) {
                // An aggregation keeps only the labels it groups by.
                boolean aggregated = q.expr().strip().matches("^(sum|max|min|avg|count)\\b.*");
                Set<String> shown = aggregated ? grouping : available;
                Matcher m = LEGEND_LABEL.matcher(q.legend());
                while (m.find()) {
                    if (!shown.contains(m.group(1))) {
                        problems.add(q.where() + ": the legend shows {{" + m.group(1) + "}}, which no metric of it has");
                    }
                }
            }
        }
        return problems;
    }
}
