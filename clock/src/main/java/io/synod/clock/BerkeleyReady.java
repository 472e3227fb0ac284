package io.synod.clock;

import java.util.List;

/**
 * What the adapter of a {@link BerkeleySync} must do: send the messages (peer links; a {@code
 * ClockReply} answers the {@code clock} request it names), then log the round reports and the
 * corrections. The corrections are already applied to the {@link SoftwareClock}; nothing needs
 * persisting.
 *
 * <p>Thread-safety: immutable (the lists are copies).
 *
 * @param messagesToSend messages for peer servers, each with its target name
 * @param roundReports reports of the Berkeley rounds this server closed as coordinator
 * @param corrections corrections applied to this server's clock
 */
public record BerkeleyReady(
        List<Outbound<BerkeleyMessage>> messagesToSend,
        List<BerkeleyRoundReport> roundReports,
        List<ClockCorrection> corrections) {

    /** Copies the lists. */
    public BerkeleyReady {
        messagesToSend = List.copyOf(messagesToSend);
        roundReports = List.copyOf(roundReports);
        corrections = List.copyOf(corrections);
    }

    /** @return true if there is nothing to do */
    public boolean isEmpty() {
        return messagesToSend.isEmpty() && roundReports.isEmpty() && corrections.isEmpty();
    }
}
