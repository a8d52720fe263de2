package io.keyferry.cli.kubectl;

import io.keyferry.cli.ExitCodes;
import java.io.PrintWriter;

/** A step a person must agree to: asked on the terminal, or given with --yes; refused when nobody can answer. */
final class Confirmation {
    private Confirmation() {}

    static void require(Terminal terminal, PrintWriter err, boolean yes, String warning, String question) {
        if (yes) {
            return; // the command's result carries the warning
        }
        if (terminal.answers() == null) {
            throw new PluginException(ExitCodes.REFUSED, warning + ". Not confirmed: there is no terminal to ask on; pass"
                    + " --yes to go on; nothing was changed");
        }
        err.println(terminal.paint("warning: " + warning, Terminal.Style.YELLOW));
        err.print(question + " Type yes to go on: ");
        err.flush();
        String answer = terminal.answers().readLine();
        if (answer == null || !answer.trim().equalsIgnoreCase("yes")) {
            throw new PluginException(ExitCodes.REFUSED, "not confirmed; nothing was changed");
        }
    }
}
