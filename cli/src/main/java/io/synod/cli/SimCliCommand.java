package io.synod.cli;

import io.synod.simulation.SimCommand;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code synod sim --seeds N --start S}: runs the deterministic cluster simulator over many seeds
 * and ends with {@code N seeds, F failed}. Options are those of {@link SimCommand}.
 */
@Command(
        name = "sim",
        description = "Run the deterministic Paxos cluster simulator over many seeds (--seeds N --start S).",
        mixinStandardHelpOptions = false)
final class SimCliCommand implements Callable<Integer> {
    /** Everything after {@code sim} goes to the simulator unchanged. */
    @Unmatched
    List<String> arguments = new java.util.ArrayList<>(); // mutable: picocli adds to it

    @Override
    public Integer call() {
        return SimCommand.run(arguments.toArray(String[]::new), System.out);
    }
}
