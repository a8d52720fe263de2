package io.keyferry.cli.kubectl;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/** Numbers as people read them: durations, ages, rates, bytes and progress bars. */
final class Units {
    static final int BAR_WIDTH = 24;

    private Units() {}

    /** 45s, 3m20s, 1h02m, 2d03h. */
    static String duration(long seconds) {
        long s = Math.max(0, seconds);
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + pad(s % 60) + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h" + pad(s % 3600 / 60) + "m";
        }
        return s / 86400 + "d" + pad(s % 86400 / 3600) + "h";
    }

    /** kubectl's AGE: the largest unit only (5m, 3h, 2d), or "?" for a time that cannot be read. */
    static String age(String rfc3339, Instant now) {
        if (rfc3339 == null) {
            return "?";
        }
        try {
            long s = Math.max(0, Duration.between(Instant.parse(rfc3339), now).getSeconds());
            return s < 120 ? s + "s" : s < 7200 ? s / 60 + "m" : s < 172800 ? s / 3600 + "h" : s / 86400 + "d";
        } catch (java.time.format.DateTimeParseException e) {
            return "?";
        }
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** [#########---------------]  37.5% */
    static String bar(double percent) {
        double p = Math.max(0, Math.min(100, percent));
        int filled = (int) Math.round(p / 100 * BAR_WIDTH);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + String.format(Locale.ROOT, "%5.1f%%", p);
    }

    /** "  1,200 keys/s  ETA 3m20s", or what of it is known. */
    static String rate(Long keysPerSecond, Long etaSeconds) {
        StringBuilder b = new StringBuilder();
        if (keysPerSecond != null && keysPerSecond > 0) {
            b.append("  ").append(count(keysPerSecond)).append(" keys/s");
        }
        if (etaSeconds != null && etaSeconds >= 0 && keysPerSecond != null && keysPerSecond > 0) {
            b.append("  ETA ").append(duration(etaSeconds));
        }
        return b.toString();
    }

    private static String pad(long n) {
        return n < 10 ? "0" + n : Long.toString(n);
    }
}
