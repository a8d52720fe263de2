package io.keyferry.testing.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a PromQL expression reads ({@link #uses}: each metric with the labels its selector matches on, and the
 * labels it groups or joins by), and, for the subset the dashboard's panels are written in, its value over
 * recorded scrapes ({@link #eval}): {@code AGG [by (l, ...)] (INNER) [CMP n]}, INNER being
 * {@code rate(SEL[w])}, {@code increase(SEL[w])} or {@code SEL}, and AGG sum, max or min.
 */
public final class PromQuery {
    /** A metric an expression selects, and the label names its selector matches on. */
    public record Use(String metric, Set<String> labels) {}

    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{[^}]*\\})?");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan");

    private PromQuery() {}

    public static List<Use> uses(String expr) {
        String rest = GROUPING.matcher(expr).replaceAll(" ").replaceAll("\\[[^\\]]*\\]", " ");
        List<Use> out = new ArrayList<>();
        Matcher m = SELECTOR.matcher(rest);
        while (m.find()) {
            String name = m.group(1);
            int after = m.end();
            while (after < rest.length() && rest.charAt(after) == ' ') {
                after++;
            }
            boolean function = m.group(2) == null && after < rest.length() && rest.charAt(after) == '(';
            boolean number = m.start() > 0 && Character.isDigit(rest.charAt(m.start() - 1));
            if (function || number || KEYWORDS.contains(name.toLowerCase()) || name.startsWith("$")) {
                continue;
            }
            Set<String> labels = new LinkedHashSet<>();
            if (m.group(2) != null) {
                Matcher lm = MATCHER.matcher(m.group(2));
                while (lm.find()) {
                    labels.add(lm.group(1));
                }
            }
            out.add(new Use(name, labels));
        }
        return out;
    }

    /** The labels an expression aggregates, joins or matches by. */
    public static Set<String> groupingLabels(String expr) {
        Set<String> labels = new LinkedHashSet<>();
        Matcher m = GROUPING.matcher(expr);
        while (m.find()) {
            for (String l : m.group(2).split(",")) {
                if (!l.isBlank()) {
                    labels.add(l.strip());
                }
            }
        }
        return labels;
    }

    /** The expression's series at scrape {@code at} of {@code history}: their grouping labels and values. */
    public static Map<Map<String, String>, Double> eval(String expr, List<Scrapes.Scrape> history, int at) {
        return new Parser(expr.strip(), history, at).expr();
    }

    private static final class Parser {
        private final String s;
        private final List<Scrapes.Scrape> history;
        private final int at;
        private int i;

        Parser(String s, List<Scrapes.Scrape> history, int at) {
            this.s = s;
            this.history = history;
            this.at = at;
        }

        Map<Map<String, String>, Double> expr() {
            String word = peekWord();
            Map<Map<String, String>, Double> v;
            if (word.equals("sum") || word.equals("max") || word.equals("min")) {
                i += word.length();
                List<String> by = by();
                expect('(');
                Map<Map<String, String>, Double> inner = expr();
                expect(')');
                if (by == null) {
                    by = by();
                }
                v = aggregate(word, by == null ? List.of() : by, inner);
            } else if (word.equals("rate") || word.equals("increase")) {
                i += word.length();
                expect('(');
                v = range(word, selector());
                expect(')');
            } else {
                v = new LinkedHashMap<>();
                for (PromText.Sample x : selector().apply(history.get(at).samples())) {
                    v.put(x.labels(), x.value());
                }
            }
            return compare(v);
        }

        private Map<Map<String, String>, Double> compare(Map<Map<String, String>, Double> v) {
            skip();
            for (String op : List.of("==", ">", "<")) {
                if (s.startsWith(op, i)) {
                    i += op.length();
                    skip();
                    int start = i;
                    while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                        i++;
                    }
                    double n = Double.parseDouble(s.substring(start, i));
                    v.values().removeIf(x -> !(op.equals("==") ? x == n : op.equals(">") ? x > n : x < n));
                }
            }
            return v;
        }

        private Map<Map<String, String>, Double> range(String fn, Sel sel) {
            int j = at;
            long window = sel.windowMillis();
            while (j > 0 && history.get(at).at().toEpochMilli() - history.get(j - 1).at().toEpochMilli() <= window) {
                j--;
            }
            Map<Map<String, String>, Double> v = new LinkedHashMap<>();
            double seconds = Math.max(0.001, (history.get(at).at().toEpochMilli() - history.get(j).at().toEpochMilli()) / 1000.0);
            Map<Map<String, String>, Double> before = new LinkedHashMap<>();
            sel.apply(history.get(j).samples()).forEach(x -> before.put(x.labels(), x.value()));
            for (PromText.Sample x : sel.apply(history.get(at).samples())) {
                double from = before.getOrDefault(x.labels(), 0.0);
                double delta = x.value() >= from ? x.value() - from : x.value();
                v.put(x.labels(), fn.equals("rate") ? (j == at ? 0 : delta / seconds) : delta);
            }
            return v;
        }

        private static Map<Map<String, String>, Double> aggregate(String fn, List<String> by, Map<Map<String, String>, Double> in) {
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            in.forEach((labels, value) -> {
                Map<String, String> key = new TreeMap<>();
                by.forEach(l -> key.put(l, labels.getOrDefault(l, "")));
                out.merge(key, value, fn.equals("sum") ? Double::sum : fn.equals("max") ? Math::max : Math::min);
            });
            return out;
        }

        private List<String> by() {
            skip();
            if (!s.startsWith("by", i)) {
                return null;
            }
            i += 2;
            expect('(');
            int close = s.indexOf(')', i);
            List<String> labels = java.util.Arrays.stream(s.substring(i, close).split(",")).map(String::strip)
                    .filter(x -> !x.isEmpty()).toList();
            i = close + 1;
            return labels;
        }

        private Sel selector() {
            skip();
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == ':')) {
                i++;
            }
            String name = s.substring(start, i);
            Map<String, Pattern> match = new LinkedHashMap<>();
            skip();
            if (i < s.length() && s.charAt(i) == '{') {
                int close = s.indexOf('}', i);
                Matcher m = MATCHER.matcher(s.substring(i, close));
                while (m.find()) {
                    String value = m.group(3);
                    match.put(m.group(1), Pattern.compile(m.group(2).equals("=~") ? value : Pattern.quote(value)));
                }
                i = close + 1;
            }
            String window = null;
            skip();
            if (i < s.length() && s.charAt(i) == '[') {
                int close = s.indexOf(']', i);
                window = s.substring(i + 1, close);
                i = close + 1;
            }
            return new Sel(name, match, window);
        }

        private String peekWord() {
            skip();
            int j = i;
            while (j < s.length() && Character.isLetter(s.charAt(j))) {
                j++;
            }
            int k = j;
            while (k < s.length() && s.charAt(k) == ' ') {
                k++;
            }
            String w = s.substring(i, j);
            return k < s.length() && (s.charAt(k) == '(' || s.startsWith("by", k)) ? w : "";
        }

        private void expect(char c) {
            skip();
            if (i >= s.length() || s.charAt(i) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + i + " in " + s);
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }

    private record Sel(String name, Map<String, Pattern> match, String window) {
        List<PromText.Sample> apply(List<PromText.Sample> samples) {
            return samples.stream().filter(x -> x.name().equals(name) && match.entrySet().stream().allMatch(
                    e -> e.getValue().matcher(x.labels().getOrDefault(e.getKey(), "")).matches())).toList();
        }

        long windowMillis() {
            char unit = window.charAt(window.length() - 1);
            long n = Long.parseLong(window.substring(0, window.length() - 1));
            return n * (unit == 's' ? 1000 : unit == 'm' ? 60_000 : 3_600_000);
        }
    }
}
