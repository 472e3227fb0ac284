package io.synod.server.replication;

import io.synod.consensus.LogCommand;
import io.synod.consensus.PaxosCodec;
import io.synod.consensus.PaxosEnvelope;
import io.synod.protocol.Envelope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The replication messages of the peer links (docs/protocol.md, "Replication on the peer links"). Each is a
 * {@code {"service","data"}} envelope; {@code timestamp} and {@code clock} are added by the peer links.
 *
 * <ul>
 *   <li>{@code paxos}: {@code payload} = the {@link PaxosCodec} bytes of one consensus envelope (source, target,
 *       message);
 *   <li>{@code forward}: writes accepted by a follower, for the leader to propose: {@code origin} (node id) and
 *       {@code writes}, a list of {@code [seq, command]} pairs (the origin's command id and the encoded chat
 *       command), at most {@link #FORWARD_WRITES_MAX} per message, so a turn with more sends several;
 *   <li>{@code published}: the leader has published every delivery up to chat command index {@code index};
 *   <li>{@code members}: the sender's address book, {@code members: {name: endpoint}} (membership itself is in the
 *       log; this only tells where each node id listens);
 *   <li>{@code join}: a server asks to be added: {@code name}, {@code endpoint}; the leader proposes
 *       {@code AddLearner};
 *   <li>{@code remove}: an operator asks to remove server {@code name} (from {@code synod admin remove-server},
 *       on a REQ), with {@code admin_key} when the server requires the admin key (secure mode); the answer has
 *       {@code status} ({@code OK} or {@code erro}), {@code description}, {@code error: "unauthorized"} when the
 *       key is missing or wrong (nothing changed) and, from a follower, {@code leader} and {@code leader_endpoint}
 *       to ask instead;
 *   <li>{@code snapshot_get}: a server fetching a checkpoint (named in a catch-up reply's snapshot) asks for
 *       {@code max} bytes of file {@code file} of checkpoint {@code checkpoint} from {@code offset};
 *   <li>{@code snapshot_chunk}: the answer: {@code checkpoint}, {@code file}, {@code offset}, {@code bytes} (binary,
 *       at most {@code max}) and {@code file_size}; or {@code checkpoint} and {@code error} when the checkpoint or
 *       file is not there (any more).
 * </ul>
 *
 * <p>Thread-safety: stateless.
 */
final class ReplicationCodec {
    /** Service of a Paxos message. */
    static final String PAXOS = "paxos";
    /** Service of a forwarded write. */
    static final String FORWARD = "forward";
    /** Most writes in one {@code forward} message; a follower splits a longer turn into several messages. */
    static final int FORWARD_WRITES_MAX = 512;
    /** Service of the leader's "published up to" note. */
    static final String PUBLISHED = "published";
    /** Service of an address book. */
    static final String MEMBERS = "members";
    /** Service of a join request. */
    static final String JOIN = "join";
    /** Service of a removal request and its answer. */
    static final String REMOVE = "remove";

    /** Service of a request for a chunk of a checkpoint. */
    static final String SNAPSHOT_GET = "snapshot_get";
    /** Service of a chunk of a checkpoint (or the answer that it is gone). */
    static final String SNAPSHOT_CHUNK = "snapshot_chunk";

    /** A request for a checkpoint's chunk. */
    record ChunkRequest(String checkpoint, String file, long offset, int maxBytes) {}

    /** A chunk of a checkpoint, or ({@code error} not null) the answer that it is not there. */
    record Chunk(String checkpoint, String file, long offset, byte[] bytes, long fileSize, String error) {}

    private ReplicationCodec() {}

    static Envelope snapshotGet(String checkpoint, String file, long offset, int maxBytes) {
        return new Envelope(
                SNAPSHOT_GET, Map.of("checkpoint", checkpoint, "file", file, "offset", offset, "max", (long) maxBytes));
    }

    static Envelope snapshotChunk(String checkpoint, String file, long offset, byte[] bytes, long fileSize) {
        return new Envelope(
                SNAPSHOT_CHUNK,
                Map.of(
                        "checkpoint", checkpoint,
                        "file", file,
                        "offset", offset,
                        "bytes", bytes,
                        "file_size", fileSize));
    }

    static Envelope snapshotGone(String checkpoint, String why) {
        return new Envelope(SNAPSHOT_CHUNK, Map.of("checkpoint", checkpoint, "error", why));
    }

    static ChunkRequest decodeSnapshotGet(Envelope envelope) {
        long max = number(envelope, "max");
        if (max < 1 || max > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("snapshot_get needs 'max' in 1.." + Integer.MAX_VALUE);
        }
        return new ChunkRequest(
                text(envelope, "checkpoint"), text(envelope, "file"), number(envelope, "offset"), (int) max);
    }

    static Chunk decodeSnapshotChunk(Envelope envelope) {
        String checkpoint = text(envelope, "checkpoint");
        if (envelope.data().get("error") instanceof String error) {
            return new Chunk(checkpoint, null, 0, null, 0, error);
        }
        return new Chunk(
                checkpoint,
                text(envelope, "file"),
                number(envelope, "offset"),
                bytes(envelope, "bytes"),
                number(envelope, "file_size"),
                null);
    }

    static Envelope paxos(PaxosEnvelope message) {
        return new Envelope(PAXOS, Map.of("payload", PaxosCodec.encode(message)));
    }

    /** One {@code forward} message for {@code commands} (1 to {@link #FORWARD_WRITES_MAX}, all from {@code origin}). */
    static Envelope forward(int origin, List<LogCommand.Client> commands) {
        if (commands.isEmpty() || commands.size() > FORWARD_WRITES_MAX) {
            throw new IllegalArgumentException("a forward carries 1 to " + FORWARD_WRITES_MAX + " writes");
        }
        List<Object> writes = new ArrayList<>(commands.size());
        for (LogCommand.Client command : commands) {
            if (command.clientId() != origin) {
                throw new IllegalArgumentException("a forward carries only its origin's writes");
            }
            writes.add(List.of(command.requestId(), command.payload()));
        }
        return new Envelope(FORWARD, Map.of("origin", (long) origin, "writes", writes));
    }

    static Envelope published(long index) {
        return new Envelope(PUBLISHED, Map.of("index", index));
    }

    static Envelope members(Map<String, String> endpointByName) {
        return new Envelope(MEMBERS, Map.of("members", Map.copyOf(endpointByName)));
    }

    static Envelope join(String name, String endpoint) {
        return new Envelope(JOIN, Map.of("name", name, "endpoint", endpoint));
    }

    /** The address book in a {@code members} message (entries that are not text are skipped). */
    static Map<String, String> decodeMembers(Envelope envelope) {
        Map<String, String> members = new java.util.TreeMap<>();
        if (envelope.data().get("members") instanceof Map<?, ?> map) {
            map.forEach((name, endpoint) -> {
                if (name instanceof String n && endpoint instanceof String e && e.startsWith("tcp://")) {
                    members.put(n, e);
                }
            });
        }
        return members;
    }

    /** A text field of a {@code join} or {@code remove} message. */
    static String text(Envelope envelope, String field) {
        if (envelope.data().get(field) instanceof String value && !value.isEmpty()) {
            return value;
        }
        throw new IllegalArgumentException(envelope.service() + " needs text '" + field + "'");
    }

    /** The consensus envelope in a {@code paxos} message. */
    static PaxosEnvelope decodePaxos(Envelope envelope) {
        return PaxosCodec.decodeEnvelope(bytes(envelope, "payload"));
    }

    /** The commands in a {@code forward} message, in order. */
    static List<LogCommand.Client> decodeForward(Envelope envelope) {
        long origin = number(envelope, "origin");
        if (origin < 1 || origin > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("forward needs a node id 'origin', got " + origin);
        }
        if (!(envelope.data().get("writes") instanceof List<?> writes)
                || writes.isEmpty()
                || writes.size() > FORWARD_WRITES_MAX) {
            throw new IllegalArgumentException("forward needs 'writes': a list of 1 to " + FORWARD_WRITES_MAX);
        }
        List<LogCommand.Client> commands = new ArrayList<>(writes.size());
        for (Object write : writes) {
            if (!(write instanceof List<?> pair)
                    || pair.size() != 2
                    || !(pair.get(0) instanceof Long seq)
                    || seq < 0
                    || !(pair.get(1) instanceof byte[] payload)) {
                throw new IllegalArgumentException("forward writes are [seq >= 0, binary command] pairs");
            }
            commands.add(new LogCommand.Client(origin, seq, payload));
        }
        return commands;
    }

    /** The index in a {@code published} note. */
    static long decodePublished(Envelope envelope) {
        return number(envelope, "index");
    }

    private static byte[] bytes(Envelope envelope, String field) {
        if (envelope.data().get(field) instanceof byte[] bytes) {
            return bytes;
        }
        throw new IllegalArgumentException(envelope.service() + " needs binary '" + field + "'");
    }

    private static long number(Envelope envelope, String field) {
        if (envelope.data().get(field) instanceof Long value && value >= 0) {
            return value;
        }
        throw new IllegalArgumentException(envelope.service() + " needs a non-negative integer '" + field + "'");
    }
}
