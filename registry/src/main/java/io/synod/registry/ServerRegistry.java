package io.synod.registry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The reference's registry of servers (statement part 4, item 22): {@code rank} gives each server
 * name a rank (first come 1, then 2, 3...; the same name always gets the same rank again; names are
 * unique); {@code heartbeat} keeps a server alive; {@code list} returns the servers whose last rank
 * or heartbeat is within {@link RegistryConfig#heartbeatTimeoutMillis()}.
 *
 * <p>Durable state is the name to (rank, address) map; liveness is volatile, so after a restart of
 * the reference every server is absent from {@code list} until its next heartbeat. A heartbeat from
 * an unknown name registers it (a server that ranked before the reference lost its file keeps
 * working).
 *
 * <p>Thread-safety: not thread-safe; owned by the reference's serving thread. Time is an input in
 * epoch milliseconds; it may go backwards without harm (a server is then simply considered live).
 */
public final class ServerRegistry {
    private static final byte[] MAGIC = "SYNREG01".getBytes(StandardCharsets.US_ASCII);

    private final RegistryConfig config;
    private final Map<String, RegisteredServer> servers = new TreeMap<>();
    private final Map<String, Long> lastSeenMillis = new HashMap<>();
    private long lastRank;

    public ServerRegistry(RegistryConfig config) {
        this.config = config;
    }

    /** A registry holding the durable state of {@link #exportState()}; no server is live yet. */
    public static ServerRegistry restore(RegistryConfig config, byte[] state) {
        ServerRegistry registry = new ServerRegistry(config);
        for (RegisteredServer server : decode(state)) {
            registry.servers.put(server.name(), server);
            registry.lastRank = Math.max(registry.lastRank, server.rank());
        }
        return registry;
    }

    /** Statement {@code rank}: the server's rank, assigned on first sight; also counts as a heartbeat. */
    public RankResult rank(String name, String address, long nowMillis) {
        String problem = validate(name, address);
        if (problem != null) {
            return new RankResult.Refused(problem);
        }
        RegisteredServer known = servers.get(name);
        boolean changed = false;
        if (known == null) {
            if (servers.size() >= config.serversMax()) {
                return new RankResult.Refused("the registry is full (" + config.serversMax() + " servers)");
            }
            lastRank++;
            known = new RegisteredServer(name, lastRank, address);
            changed = true;
        } else if (address != null && !address.equals(known.address())) {
            known = new RegisteredServer(name, known.rank(), address);
            changed = true;
        }
        servers.put(name, known);
        lastSeenMillis.put(name, nowMillis);
        return new RankResult.Ranked(known.rank(), changed);
    }

    /** Statement {@code heartbeat}: refreshes liveness (registers an unknown name, see the class doc). */
    public RankResult heartbeat(String name, String address, long nowMillis) {
        return rank(name, address, nowMillis);
    }

    /** Statement {@code list}: the live servers, by rank. */
    public List<RegisteredServer> list(long nowMillis) {
        List<RegisteredServer> live = new ArrayList<>();
        for (RegisteredServer server : servers.values()) {
            Long seen = lastSeenMillis.get(server.name());
            if (seen != null && nowMillis - seen <= config.heartbeatTimeoutMillis()) {
                live.add(server);
            }
        }
        live.sort(Comparator.comparingLong(RegisteredServer::rank));
        return live;
    }

    /** Every server ever registered, live or not, by rank. */
    public List<RegisteredServer> all() {
        List<RegisteredServer> all = new ArrayList<>(servers.values());
        all.sort(Comparator.comparingLong(RegisteredServer::rank));
        return all;
    }

    public Optional<RegisteredServer> find(String name) {
        return Optional.ofNullable(servers.get(name));
    }

    private String validate(String name, String address) {
        if (name == null || name.isEmpty()) {
            return "server name must not be empty";
        }
        if (name.codePointCount(0, name.length()) > config.nameCharsMax()) { // characters, as the protocol counts
            return "server name is longer than " + config.nameCharsMax() + " characters";
        }
        if (address != null && address.length() > config.addressCharsMax()) {
            return "address is longer than " + config.addressCharsMax() + " characters";
        }
        return null;
    }

    // ------------------------------------------------------------------ persistence

    /**
     * The durable state as bytes: {@code "SYNREG01" | count (int32) | count x (rank (int64) |
     * name (int32 length + UTF-8) | address (int32 length, -1 for none, + UTF-8))}, big-endian.
     */
    public byte[] exportState() {
        List<byte[]> parts = new ArrayList<>();
        int size = MAGIC.length + Integer.BYTES;
        for (RegisteredServer s : all()) {
            byte[] name = s.name().getBytes(StandardCharsets.UTF_8);
            byte[] address = s.address() == null ? null : s.address().getBytes(StandardCharsets.UTF_8);
            ByteBuffer item = ByteBuffer.allocate(
                    Long.BYTES + 2 * Integer.BYTES + name.length + (address == null ? 0 : address.length));
            item.putLong(s.rank()).putInt(name.length).put(name);
            item.putInt(address == null ? -1 : address.length);
            if (address != null) {
                item.put(address);
            }
            parts.add(item.array());
            size += item.capacity();
        }
        ByteBuffer out = ByteBuffer.allocate(size).put(MAGIC).putInt(parts.size());
        parts.forEach(out::put);
        return out.array();
    }

    private static List<RegisteredServer> decode(byte[] state) {
        ByteBuffer in = ByteBuffer.wrap(state);
        byte[] magic = new byte[MAGIC.length];
        require(in.remaining() >= MAGIC.length + Integer.BYTES, "too short");
        in.get(magic);
        require(Arrays.equals(magic, MAGIC), "bad magic");
        int count = in.getInt();
        require(count >= 0, "negative count");
        List<RegisteredServer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            require(in.remaining() >= Long.BYTES, "truncated");
            long rank = in.getLong();
            String name = text(in, false);
            String address = text(in, true);
            require(rank > 0 && name != null && !name.isEmpty(), "bad entry");
            out.add(new RegisteredServer(name, rank, address));
        }
        require(!in.hasRemaining(), "trailing bytes");
        require(out.stream().map(RegisteredServer::rank).distinct().count() == out.size(), "duplicate rank");
        return out;
    }

    private static String text(ByteBuffer in, boolean nullable) {
        require(in.remaining() >= Integer.BYTES, "truncated");
        int length = in.getInt();
        if (length == -1 && nullable) {
            return null;
        }
        require(length >= 0 && length <= in.remaining(), "truncated");
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static void require(boolean condition, String what) {
        if (!condition) {
            throw new IllegalArgumentException("not a registry state: " + what);
        }
    }
}
