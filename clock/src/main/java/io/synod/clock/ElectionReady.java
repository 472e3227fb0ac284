package io.synod.clock;

import java.util.List;

/**
 * What the adapter of a {@link BullyElection} must do, in this order: send the messages, publish
 * the announcements on topic {@code servers}, then act on the coordinator changes. Nothing needs
 * persisting: a restarted server simply holds a new election.
 *
 * <p>Thread-safety: immutable (the lists are copies).
 *
 * @param messagesToSend messages for peer servers, each with its target name
 * @param announcementsToPublish announcements to publish on topic {@code servers}
 * @param coordinatorChanges the changes of the coordinator variable, oldest first
 */
public record ElectionReady(
        List<Outbound<ElectionMessage>> messagesToSend,
        List<ElectionMessage.CoordinatorAnnouncement> announcementsToPublish,
        List<CoordinatorChange> coordinatorChanges) {

    /** Copies the lists. */
    public ElectionReady {
        messagesToSend = List.copyOf(messagesToSend);
        announcementsToPublish = List.copyOf(announcementsToPublish);
        coordinatorChanges = List.copyOf(coordinatorChanges);
    }

    /** @return true if there is nothing to do */
    public boolean isEmpty() {
        return messagesToSend.isEmpty() && announcementsToPublish.isEmpty() && coordinatorChanges.isEmpty();
    }
}
