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

    static Terminal detect(Map<String, String> env) {
        boolean console = System.console() != null;
        String told = env.get("KEYFERRY_STDOUT_TTY");
        boolean tty = told != null ? told.equals("1") : console;
        String noColour = env.get("NO_COLOR");
        boolean colour = tty && (noColour == null || noColour.isEmpty()) && !"dumb".equals(env.get("TERM"));
        return new Terminal(tty, colour, console ? Terminal::readStdin : null);
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
