package io.keyferry.testing.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.time.FixedMillisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;

/**
 * Draws a Grafana dashboard's panels, laid out by their gridPos, from recorded scrapes: each target evaluated at
 * every scrape ({@link PromQuery#eval}) as Prometheus would over them. Time series with JFreeChart, the flag
 * annotation as markers, state timelines as coloured bands, the table as text at the scrape where the copy ran fastest.
 */
public final class DashboardPicture {
    private static final int UNIT_W = 70;
    private static final int UNIT_H = 34;
    private static final Color BACKGROUND = new Color(0x11, 0x12, 0x17);
    private static final Color PANEL = new Color(0x18, 0x1b, 0x1f);
    private static final Color TEXT = new Color(0xd8, 0xd9, 0xda);
    private static final Color[] PALETTE = {new Color(0x73, 0xbf, 0x69), new Color(0xf2, 0xcc, 0x0c), new Color(0x57, 0x94, 0xf2),
        new Color(0xff, 0x78, 0x83), new Color(0xb8, 0x77, 0xd9), new Color(0xff, 0x98, 0x30), new Color(0x8a, 0xb8, 0xff)};
    private static final Pattern LEGEND = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");

    private final List<Scrapes.Scrape> scrapes;
    private final Map<String, String> vars;
    private final Map<Long, String> flagChanges = new LinkedHashMap<>();

    private DashboardPicture(List<Scrapes.Scrape> scrapes, Map<String, String> vars) {
        this.scrapes = scrapes;
        this.vars = vars;
    }

    /** Writes the dashboard's panels as a PNG, with the template variables set to {@code vars}. */
    public static void render(JsonNode dashboard, List<Scrapes.Scrape> scrapes, Map<String, String> vars, Path out) throws IOException {
        System.setProperty("java.awt.headless", "true");
        new DashboardPicture(scrapes, vars).draw(dashboard, out);
    }

    private void draw(JsonNode dashboard, Path out) throws IOException {
        for (JsonNode an : dashboard.path("annotations").path("list")) {
            if (an.hasNonNull("expr")) {
                annotations(an.path("expr").asText(), an.path("titleFormat").asText());
            }
        }
        int bottom = 0;
        for (JsonNode p : dashboard.path("panels")) {
            bottom = Math.max(bottom, p.path("gridPos").path("y").asInt() + p.path("gridPos").path("h").asInt());
        }
        int top = 40;
        BufferedImage img = new BufferedImage(24 * UNIT_W, top + bottom * UNIT_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(dashboard.path("title").asText() + "   namespace=" + vars.get("namespace") + "  migration=" + vars.get("migration")
                + "   (a test run, scraped every 500 ms: MetricsContractTest)", 12, 26);
        for (JsonNode p : dashboard.path("panels")) {
            JsonNode pos = p.path("gridPos");
            int x = pos.path("x").asInt() * UNIT_W + 4;
            int y = top + pos.path("y").asInt() * UNIT_H + 4;
            int w = pos.path("w").asInt() * UNIT_W - 8;
            int h = pos.path("h").asInt() * UNIT_H - 8;
            String title = p.path("title").asText().replace("$migration", vars.get("migration"));
            switch (p.path("type").asText()) {
                case "row" -> {
                    g.setColor(TEXT);
                    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
                    g.drawString(title, x + 4, y + h - 8);
                }
                case "table" -> table(g, p, title, x, y, w, h);
                case "state-timeline" -> timeline(g, p, title, x, y, w, h);
                default -> timeseries(p, title).draw(g, new java.awt.geom.Rectangle2D.Double(x, y, w, h));
            }
        }
        g.dispose();
        Files.createDirectories(out.toAbsolutePath().getParent());
        ImageIO.write(img, "png", out.toFile());
    }

    private String expr(JsonNode target) {
        String e = target.path("expr").asText();
        for (Map.Entry<String, String> v : vars.entrySet()) {
            e = e.replace("$" + v.getKey(), Pattern.quote(v.getValue()));
        }
        return e;
    }

    private static String legend(String format, Map<String, String> labels) {
        if (format == null || format.isEmpty()) {
            return labels.toString();
        }
        Matcher m = LEGEND.matcher(format);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(labels.getOrDefault(m.group(1), "")));
        }
        return m.appendTail(sb).toString();
    }

    private void annotations(String expr, String title) {
        String e = expr;
        for (Map.Entry<String, String> v : vars.entrySet()) {
            e = e.replace("$" + v.getKey(), Pattern.quote(v.getValue()));
        }
        String last = null;
        for (int i = 0; i < scrapes.size(); i++) {
            for (Map<String, String> labels : PromQuery.eval(e, scrapes, i).keySet()) {
                String now = legend(title, labels);
                if (!now.equals(last)) {
                    flagChanges.put(scrapes.get(i).at().toEpochMilli(), now);
                    last = now;
                }
            }
        }
    }

    private JFreeChart timeseries(JsonNode panel, String title) {
        TimeSeriesCollection data = new TimeSeriesCollection();
        Map<String, TimeSeries> series = new LinkedHashMap<>();
        for (JsonNode t : panel.path("targets")) {
            String e = expr(t);
            for (int i = 0; i < scrapes.size(); i++) {
                FixedMillisecond at = new FixedMillisecond(scrapes.get(i).at().toEpochMilli());
                for (Map.Entry<Map<String, String>, Double> v : PromQuery.eval(e, scrapes, i).entrySet()) {
                    String name = legend(t.path("legendFormat").asText(null), v.getKey());
                    series.computeIfAbsent(name, TimeSeries::new).addOrUpdate(at, v.getValue());
                }
            }
        }
        series.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createTimeSeriesChart(null, null, null, data, true, false, false);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 13), TEXT,
                org.jfree.chart.ui.RectangleEdge.TOP, org.jfree.chart.ui.HorizontalAlignment.LEFT,
                org.jfree.chart.ui.VerticalAlignment.CENTER, new org.jfree.chart.ui.RectangleInsets(2, 6, 2, 2)));
        chart.setBackgroundPaint(PANEL);
        chart.getLegend().setBackgroundPaint(PANEL);
        chart.getLegend().setItemPaint(TEXT);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(PANEL);
        plot.setDomainGridlinePaint(new Color(0x2c, 0x30, 0x35));
        plot.setRangeGridlinePaint(new Color(0x2c, 0x30, 0x35));
        plot.setOutlineVisible(false);
        DateAxis axis = (DateAxis) plot.getDomainAxis();
        axis.setDateFormatOverride(utcTime());
        axis.setTickLabelPaint(TEXT);
        plot.getRangeAxis().setTickLabelPaint(TEXT);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(true);
        double top = series.values().stream().mapToDouble(TimeSeries::getMaxY).filter(Double::isFinite).max().orElse(0);
        if (top >= 100_000) { // bytes and heap: 80M rather than 8E7
            java.text.NumberFormat compact = java.text.NumberFormat.getCompactNumberInstance(java.util.Locale.US,
                    java.text.NumberFormat.Style.SHORT);
            compact.setMaximumFractionDigits(1);
            ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setNumberFormatOverride(compact);
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < series.size(); i++) {
            r.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            r.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(r);
        flagChanges.forEach((at, label) -> {
            ValueMarker m = new ValueMarker(at, new Color(0xff, 0x98, 0x30), new BasicStroke(1f, BasicStroke.CAP_BUTT,
                    BasicStroke.JOIN_MITER, 1f, new float[] {4f, 4f}, 0f));
            m.setLabel(label);
            m.setLabelPaint(new Color(0xff, 0x98, 0x30));
            m.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
            plot.addDomainMarker(m);
        });
        return chart;
    }

    /** One band per target: the label of its series whose value is 1, in a colour per label, over the run. */
    private void timeline(Graphics2D g, JsonNode panel, String title, int x, int y, int w, int h) {
        frame(g, title, x, y, w, h);
        long from = scrapes.get(0).at().toEpochMilli();
        long to = scrapes.get(scrapes.size() - 1).at().toEpochMilli();
        int band = 0;
        Map<String, Color> colours = new LinkedHashMap<>();
        JsonNode targets = panel.path("targets");
        int bandH = (h - 50) / Math.max(1, targets.size());
        for (JsonNode t : targets) {
            String e = expr(t);
            int by = y + 30 + band * bandH;
            String last = null;
            int lastX = x + 8;
            for (int i = 0; i <= scrapes.size(); i++) {
                String now = null;
                if (i < scrapes.size()) {
                    var v = PromQuery.eval(e, scrapes, i);
                    now = v.isEmpty() ? null : legend(t.path("legendFormat").asText(null), v.keySet().iterator().next());
                }
                int px = x + 8 + (int) ((w - 16) * ((i < scrapes.size() ? scrapes.get(i).at().toEpochMilli() : to) - from)
                        / (double) Math.max(1, to - from));
                if (i == scrapes.size() || !java.util.Objects.equals(now, last)) {
                    if (last != null) {
                        g.setColor(colours.computeIfAbsent(last, k -> PALETTE[colours.size() % PALETTE.length]));
                        g.fillRect(lastX, by, Math.max(1, px - lastX), bandH - 6);
                        g.setColor(BACKGROUND);
                        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
                        if (px - lastX > g.getFontMetrics().stringWidth(last) + 6) {
                            g.drawString(last, lastX + 4, by + bandH / 2 + 2);
                        }
                    }
                    last = now;
                    lastX = px;
                }
            }
            band++;
        }
    }

    /** The table's targets merged on their labels, at the scrape where the summed keys/s column was highest. */
    private void table(Graphics2D g, JsonNode panel, String title, int x, int y, int w, int h) {
        frame(g, title, x, y, w, h);
        JsonNode targets = panel.path("targets");
        int at = 0;
        double best = -1;
        for (int i = 0; i < scrapes.size(); i++) {
            double rate = PromQuery.eval(expr(targets.get(3)), scrapes, i).values().stream().mapToDouble(Double::doubleValue).sum();
            if (rate > best) {
                best = rate;
                at = i;
            }
        }
        Map<String, Map<String, String>> rows = new java.util.TreeMap<>();
        List<String> columns = new ArrayList<>(List.of("namespace", "migration", "stage", "phase"));
        JsonNode rename = panel.path("transformations").get(1).path("options").path("renameByName");
        for (int k = 0; k < targets.size(); k++) {
            String column = rename.path("Value #" + (char) ('A' + k)).asText(null);
            if (column != null) {
                columns.add(column);
            }
            for (Map.Entry<Map<String, String>, Double> v : PromQuery.eval(expr(targets.get(k)), scrapes, at).entrySet()) {
                Map<String, String> row = rows.computeIfAbsent(v.getKey().get("namespace") + "/" + v.getKey().get("migration"),
                        key -> new LinkedHashMap<>());
                row.putAll(v.getKey());
                if (column != null) {
                    row.put(column, String.format(java.util.Locale.ROOT, "%.1f", v.getValue()));
                }
            }
        }
        g.setFont(new Font(Font.MONOSPACED, Font.PLAIN, 14));
        int colW = (w - 16) / columns.size();
        int ty = y + 48;
        g.setColor(new Color(0x8e, 0x8e, 0x8e));
        for (int c = 0; c < columns.size(); c++) {
            g.drawString(columns.get(c), x + 10 + c * colW, ty);
        }
        g.setColor(TEXT);
        for (Map<String, String> row : rows.values()) {
            ty += 24;
            for (int c = 0; c < columns.size(); c++) {
                g.drawString(row.getOrDefault(columns.get(c), "-"), x + 10 + c * colW, ty);
            }
        }
        g.setColor(new Color(0x8e, 0x8e, 0x8e));
        g.drawString("at " + utcTime().format(java.util.Date.from(scrapes.get(at).at())), x + w - 150, y + 20);
    }

    private static SimpleDateFormat utcTime() {
        SimpleDateFormat hms = new SimpleDateFormat("HH:mm:ss");
        hms.setTimeZone(TimeZone.getTimeZone("UTC"));
        return hms;
    }

    private static void frame(Graphics2D g, String title, int x, int y, int w, int h) {
        g.setColor(PANEL);
        g.fillRect(x, y, w, h);
        g.setColor(TEXT);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(title, x + 8, y + 18);
    }
}
