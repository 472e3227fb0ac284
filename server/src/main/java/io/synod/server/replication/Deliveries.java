package io.synod.server.replication;

import io.synod.consensus.PaxosReplica;
import io.synod.core.Command;
import io.synod.core.Result;
import io.synod.protocol.Limits;
import io.synod.protocol.MsgPack;
import io.synod.protocol.Publication;
import io.synod.store.RocksDbChatStore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The publications of applied writes: the leader publishes them, a follower keeps them for republishing.
 *
 * <p>Every server applies every command; only the leader publishes, at the end of the turn that applied them, and
 * tells its peers every {@code publishedNoteIntervalMillis} how far it published. Followers keep the publications
 * above the last note in a bounded ring, mirrored in the store's outbox (written in the same store write as the
 * apply that published them, {@link RocksDbChatStore#putOutboxWithNextWrite}) so it survives a restart; one that
 * becomes leader republishes them first (identical copies: the proxy drops them, clients drop any left by {@code
 * seq}). Owned by the event-loop thread.
 */
public final class Deliveries {
    private static final Logger LOG = LoggerFactory.getLogger(Deliveries.class);
    /** A leader whose published index has not moved repeats its note only once per this many note intervals. */
    static final int NOTE_REPEAT_INTERVALS = 10;
    /** Decoding limits of the outbox's own entries: client-sized fields, but a post may notify many followers. */
    private static final Limits OUTBOX_LIMITS = new Limits(
            64 << 20,
            Limits.DEFAULT.nestingDepthMax(),
            1 << 20,
            Limits.DEFAULT.nameCharsMax(),
            Limits.DEFAULT.messageCharsMax(),
            Limits.DEFAULT.passwordCharsMax(),
            Limits.DEFAULT.historyPageMax());

    private record Applied(long index, List<Publication> publications) {}

    private final ReplicationConfig config;
    private final PaxosReplica replica;
    private final RocksDbChatStore store;
    private final ReplicationDriver.Publisher publisher;
    private final AddressBook addressBook;
    /** What a follower keeps for republishing, oldest first (at most {@code publicationRingMax}). */
    private final ArrayDeque<Applied> unpublished = new ArrayDeque<>();
    /** Publications applied this turn while leading; handed over at the end of the turn's applies. */
    private final List<Publication> toPublish = new ArrayList<>();

    private long publishedIndex;
    /** The leader's last note: it published everything up to this index. */
    private long notedIndex;

    private boolean wasLeader;
    private long nextNoteNanos = System.nanoTime();
    private long noteSentIndex = -1;
    private int notesSkipped;
    private long ringOverflowCount;

    /**
     * Starts from the store's applied index (published, as far as this server can tell) and refills the ring with
     * what the outbox kept before a restart.
     */
    Deliveries(
            ReplicationConfig config,
            PaxosReplica replica,
            RocksDbChatStore store,
            ReplicationDriver.Publisher publisher,
            AddressBook addressBook,
            long storedIndex) {
        this.config = config;
        this.replica = replica;
        this.store = store;
        this.publisher = publisher;
        this.addressBook = addressBook;
        this.publishedIndex = storedIndex;
        this.notedIndex = storedIndex;
        loadOutbox();
    }

    /**
     * Every {@code publishedNoteIntervalMillis}, a leader tells its peers how far it published; an unchanged note is
     * repeated only every {@code NOTE_REPEAT_INTERVALS} intervals (for restarted and new followers): ten notes a
     * second to each follower woke idle servers for nothing.
     */
    void noteIfDue(long now) {
        if (now - nextNoteNanos >= 0) {
            nextNoteNanos = now + TimeUnit.MILLISECONDS.toNanos(config.publishedNoteIntervalMillis());
            if (replica.isLeader() && (publishedIndex != noteSentIndex || ++notesSkipped >= NOTE_REPEAT_INTERVALS)) {
                addressBook.sendToPeers(ReplicationCodec.published(publishedIndex));
                noteSentIndex = publishedIndex;
                notesSkipped = 0;
            }
        }
    }

    /**
     * Hands the store the outbox entries of a batch's results that this server keeps for republishing, so they are
     * written in the batch's own store write (a crash keeps the applied writes and their entries, or neither). Each
     * is encoded only if the store writes it: the leader's note usually retires it first (encoding them all was a
     * tenth of a follower's loop, docs/performance.md).
     */
    void keepWithTheWrite(List<Command> batch, List<Result> results) {
        for (int i = 0; i < results.size(); i++) {
            long index = batch.get(i).index();
            List<Publication> publications = results.get(i).publications();
            if (keepsForRepublishing(index, publications)) {
                store.putOutboxWithNextWrite(index, () -> encodeOutbox(publications));
            }
        }
    }

    /**
     * Whether a follower keeps a write's publications for republishing: a leader publishes them itself, and the
     * leader already said it published those at or below {@code notedIndex} (a follower catching up applies old
     * writes).
     */
    private boolean keepsForRepublishing(long index, List<Publication> publications) {
        return !publications.isEmpty() && !replica.isLeader() && index > notedIndex;
    }

    /** The write at {@code index} was applied: a leader publishes what it published, a follower keeps it. */
    void onApplied(long index, List<Publication> publications) {
        if (!publications.isEmpty() && replica.isLeader()) {
            publishedIndex = Math.max(publishedIndex, index);
            toPublish.addAll(publications);
            return;
        }
        if (!keepsForRepublishing(index, publications)) {
            return;
        }
        unpublished.addLast(new Applied(index, publications)); // its outbox entry was written with the apply
        if (unpublished.size() > config.publicationRingMax()) {
            store.deleteOutboxThrough(unpublished.removeFirst().index());
            ringOverflowCount++;
        }
    }

    /** The leader published everything up to {@code index}: the ring and the outbox drop it. */
    void onPublishedNote(long index) {
        if (index <= notedIndex) {
            return;
        }
        notedIndex = index;
        boolean trimmed = false;
        while (!unpublished.isEmpty() && unpublished.peekFirst().index() <= notedIndex) {
            unpublished.removeFirst();
            trimmed = true;
        }
        if (trimmed) {
            store.deleteOutboxThrough(notedIndex);
        }
    }

    /** A write's publications as outbox bytes: a MessagePack list of {@code [topic, payload]} pairs. */
    static byte[] encodeOutbox(List<Publication> publications) {
        List<Object> pairs = new ArrayList<>(publications.size());
        for (Publication p : publications) {
            pairs.add(List.of(p.topic(), p.toPayload()));
        }
        return MsgPack.encode(pairs);
    }

    /** Refills the ring with what the outbox kept before a restart (the leader may not have published it). */
    private void loadOutbox() {
        for (RocksDbChatStore.OutboxEntry entry : store.readOutbox()) {
            try {
                List<Publication> publications = new ArrayList<>();
                for (Object pair : (List<?>) MsgPack.decode(entry.value(), OUTBOX_LIMITS)) {
                    List<?> p = (List<?>) pair;
                    @SuppressWarnings("unchecked")
                    Map<String, Object> payload = (Map<String, Object>) p.get(1);
                    publications.add(Publication.fromPayload((String) p.get(0), payload, OUTBOX_LIMITS));
                }
                unpublished.addLast(new Applied(entry.index(), publications));
            } catch (RuntimeException e) { // written by this program: a bad entry is a bug, but not worth stopping for
                LOG.error("{}: outbox entry of index {} unreadable, skipped", config.selfName(), entry.index(), e);
            }
        }
        if (!unpublished.isEmpty()) {
            LOG.info(
                    "{}: {} writes' deliveries kept from before the restart, republished if this server leads",
                    config.selfName(),
                    unpublished.size());
        }
    }

    /** Hands the publisher what was applied while leading, after what a new leader republishes first. */
    void handOverPublications() {
        onLeadershipChange(); // a new leader first republishes what its predecessor may not have
        if (!toPublish.isEmpty()) {
            publisher.publish(List.copyOf(toPublish));
            toPublish.clear();
        }
    }

    /** A new leader republishes what the previous one may not have published. */
    private void onLeadershipChange() {
        boolean leader = replica.isLeader();
        if (leader && !wasLeader) {
            LOG.info(
                    "{}: leading with ballot {}; republishing {} deliveries above index {}",
                    config.selfName(),
                    replica.promisedBallot(),
                    unpublished.size(),
                    notedIndex);
            if (ringOverflowCount > 0) {
                LOG.warn(
                        "{}: {} deliveries fell out of the ring; clients backfill them from history",
                        config.selfName(),
                        ringOverflowCount);
            }
            for (Applied applied : unpublished) {
                publisher.publish(applied.publications());
                publishedIndex = Math.max(publishedIndex, applied.index());
            }
            if (!unpublished.isEmpty()) {
                store.deleteOutboxThrough(unpublished.peekLast().index());
            }
            unpublished.clear();
        }
        wasLeader = leader;
    }

    /**
     * What a server publishes of a write's publications in its mode: in secure mode a private message or a
     * notification goes out only on its recipient's session topics ({@link Publication.SessionDelivery}), never on
     * the recipient's name; in compat mode only on the name, as the statement says. The state machine makes both
     * (it knows no mode), so the outbox holds both and a leader of either mode republishes what its mode publishes.
     */
    public static List<Publication> forMode(List<Publication> publications, boolean secure) {
        List<Publication> kept = new ArrayList<>(publications.size());
        for (Publication p : publications) {
            boolean personal = p instanceof Publication.DirectMessage || p instanceof Publication.Notification;
            boolean copy = p instanceof Publication.SessionDelivery;
            if (secure ? !personal : !copy) {
                kept.add(p);
            }
        }
        return kept;
    }

    long publishedIndex() {
        return publishedIndex;
    }
}
