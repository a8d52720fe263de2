package io.keyferry.cli.kubectl;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.Map;

/**
 * What the plugin knows of where it prints and who answers: colours only when standard output is a terminal
 * (never with NO_COLOR set, or TERM=dumb), and questions only when someone can answer them.
 *
 * @param stdoutTty standard output is a terminal (the launcher tells, by KEYFERRY_STDOUT_TTY)
 * @param colour    ANSI colours may be written
 * @param answers   reads a person's answer to a question; null when standard input is not a terminal
 */
record Terminal(boolean stdoutTty, boolean colour, Answers answers) {
    /** A person at the keyboard. */
    interface Answers {
        /** The answer typed, or null when input ended. */
        String readLine();
    }

    /** Off a terminal: a pipe, a file, a test. */
    static final Terminal NONE = new Terminal(false, false, null);

    /** From what the launcher tells (KEYFERRY_STDOUT_TTY, KEYFERRY_STDIN_TTY: 1 or 0), else from the JVM's console. */
    static Terminal detect(Map<String, String> env) {
        boolean console = console();
        boolean stdout = told(env, "KEYFERRY_STDOUT_TTY", console);
        boolean stdin = told(env, "KEYFERRY_STDIN_TTY", console);
        String noColour = env.get("NO_COLOR");
        boolean colour = stdout && (noColour == null || noColour.isEmpty()) && !"dumb".equals(env.get("TERM"));
        return new Terminal(stdout, colour, stdin ? Terminal::readStdin : null);
    }

    private static boolean told(Map<String, String> env, String name, boolean otherwise) {
        String value = env.get(name);
        return value != null ? value.equals("1") : otherwise;
    }

    /**
     * Whether the JVM has a terminal: on Java 17 to 21 a console exists only then; from Java 22 one always exists and
     * Console.isTerminal() tells.
     */
    private static boolean console() {
        java.io.Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    private static String readStdin() {
        try {
            return new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())).readLine();
        } catch (IOException e) {
            return null;
        }
    }

    /** ANSI styles, as SRE tools use them: green settled, yellow moving, red needs a person, dim background. */
    enum Style {
        BOLD("1"), GREEN("32"), YELLOW("33"), RED("31"), DIM("2");

        final String code;

        Style(String code) {
            this.code = code;
        }
    }

    String paint(String text, Style style) {
        return colour && !text.isEmpty() ? "\u001b[" + style.code + "m" + text + "\u001b[0m" : text;
    }
}
