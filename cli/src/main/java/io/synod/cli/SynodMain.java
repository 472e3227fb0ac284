package io.synod.cli;

import io.synod.client.bot.BotCommand;
import io.synod.client.terminal.ClientCommand;
import io.synod.messaging.BrokerCommand;
import io.synod.messaging.ProxyCommand;
import io.synod.server.ServerCommand;
import io.synod.server.reference.ReferenceCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./synod}: dispatches to the subcommands. */
@Command(
        name = "synod",
        mixinStandardHelpOptions = true,
        version = "synod 0.1.0",
        description = "Synod: a replicated chat system speaking the CC7261 protocol.",
        subcommands = {
            UpCommand.class,
            BenchCommand.class,
            ChaosCommand.class,
            ChaosWriter.class,
            StatusCommand.class,
            LogsCommand.class,
            SimCliCommand.class,
            AdminCommand.class,
            KeysCommand.class,
            BrokerCommand.class,
            ProxyCommand.class,
            ReferenceCommand.class,
            ServerCommand.class,
            ClientCommand.class,
            BotCommand.class,
            WebCommand.class,
            CommandLine.HelpCommand.class
        })
public final class SynodMain implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        // Long-running subcommands (up, server, broker...) return from call() only once stopped.
        System.exit(new CommandLine(new SynodMain()).execute(args));
    }
}
