package io.keyferry.cli.kubectl;

import picocli.CommandLine.Parameters;

/** A command about one DataMigration, named by its first parameter. */
abstract class MigrationCommand extends PluginCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The DataMigration.")
    String name;

    MigrationCommand(Environment env) {
        super(env);
    }
}
