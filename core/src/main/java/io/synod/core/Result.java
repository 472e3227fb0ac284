package io.synod.core;

import io.synod.protocol.Publication;
import java.util.List;

/**
 * What applying one {@link Command} produced: the reply outcome and the publications to send.
 *
 * @param status {@link Status#OK} or {@link Status#ERROR}
 * @param errorText the reason for an error, written for the client; null when OK
 * @param publications what to publish on the proxy, in order; empty for errors and replays
 * @param replayed true when the command was a retry of an already applied request: the outcome is
 *     the original one and nothing was applied again
 *     <p>Thread-safety: immutable.
 */
public record Result(Status status, String errorText, List<Publication> publications, boolean replayed) {

    /** The outcome of a command. */
    public enum Status {
        OK,
        ERROR
    }

    public Result {
        ChatInvariants.require(status != null, "status must not be null");
        ChatInvariants.require((status == Status.ERROR) == (errorText != null), "errorText iff ERROR");
        publications = List.copyOf(publications);
        ChatInvariants.require(status == Status.OK || publications.isEmpty(), "errors publish nothing");
    }

    public static Result ok(List<Publication> publications) {
        return new Result(Status.OK, null, publications, false);
    }

    public static Result error(String errorText) {
        return new Result(Status.ERROR, errorText, List.of(), false);
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    /** The same outcome marked as a replay, without publications. */
    Result asReplay() {
        return new Result(status, errorText, List.of(), true);
    }
}
