package io.keyferry.engine.copy;

/**
 * Redis glob matching (the rules of SCAN MATCH: *, ?, [abc], [^a], [a-z], backslash escapes), for
 * stores whose SCAN MATCH understands less (Kvrocks: prefixes only), so filtering happens here.
 */
public final class Glob {
    private final byte[] pattern;

    public Glob(byte[] pattern) {
        this.pattern = pattern;
    }

    /** The literal text before the first special character; "user:" for "user:*". */
    public byte[] literalPrefix() {
        int i = 0;
        while (i < pattern.length && "*?[\\".indexOf(pattern[i]) < 0) {
            i++;
        }
        return java.util.Arrays.copyOf(pattern, i);
    }

    /** Whether the pattern is exactly a literal prefix followed by one '*'. */
    public boolean isPrefixPattern() {
        int prefix = literalPrefix().length;
        return prefix == pattern.length - 1 && pattern[prefix] == '*';
    }

    public boolean matches(byte[] key) {
        return match(0, key, 0);
    }

    private boolean match(int p, byte[] s, int i) {
        while (p < pattern.length) {
            byte c = pattern[p];
            if (c == '*') {
                while (p + 1 < pattern.length && pattern[p + 1] == '*') {
                    p++;
                }
                if (p + 1 == pattern.length) {
                    return true;
                }
                for (int j = i; j <= s.length; j++) {
                    if (match(p + 1, s, j)) {
                        return true;
                    }
                }
                return false;
            }
            if (i >= s.length) {
                return false;
            }
            if (c == '?') {
                p++;
            } else if (c == '[') {
                int end = classEnd(p);
                if (!inClass(p + 1, end, s[i])) {
                    return false;
                }
                p = end + 1;
            } else {
                if (c == '\\' && p + 1 < pattern.length) {
                    p++;
                }
                if (pattern[p] != s[i]) {
                    return false;
                }
                p++;
            }
            i++;
        }
        return i == s.length;
    }

    private int classEnd(int open) {
        int p = open + 1;
        while (p < pattern.length && pattern[p] != ']') {
            p += pattern[p] == '\\' ? 2 : 1;
        }
        return Math.min(p, pattern.length - 1);
    }

    private boolean inClass(int from, int end, byte b) {
        boolean negate = from < end && pattern[from] == '^';
        int p = negate ? from + 1 : from;
        boolean hit = false;
        int c = b & 0xff;
        while (p < end) {
            if (pattern[p] == '\\' && p + 1 < end) {
                hit |= (pattern[p + 1] & 0xff) == c;
                p += 2;
            } else if (p + 2 < end && pattern[p + 1] == '-') {
                int lo = Math.min(pattern[p] & 0xff, pattern[p + 2] & 0xff);
                int hi = Math.max(pattern[p] & 0xff, pattern[p + 2] & 0xff);
                hit |= c >= lo && c <= hi;
                p += 3;
            } else {
                hit |= (pattern[p] & 0xff) == c;
                p++;
            }
        }
        return negate != hit;
    }
}
