package io.synod.protocol;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builders for every reply, with the statement's exact fields. Replies are built without
 * {@code timestamp} and {@code clock}; the sending adapter stamps them with
 * {@link Envelope#stamped(double, long)}.
 *
 * <p>The statement is inconsistent and Synod follows it to the letter: {@code login} and
 * {@code channel} (part 1) answer {@code status: "sucesso"|"erro"} with {@code description};
 * {@code publish} and {@code message} (part 2) answer {@code status: "OK"|"erro"} with
 * {@code message}. An error reply carries both {@code description} and {@code message} so that a
 * client of either part finds the text.
 */
public final class Replies {
    public static final String SUCESSO = "sucesso";
    public static final String OK = "OK";
    public static final String ERRO = "erro";

    private Replies() {}

    /** Whether a service answers in the part-1 style ({@code sucesso}/{@code description}). */
    public static boolean isPartOneStyle(String service) {
        return Services.LOGIN.equals(service) || Services.CHANNEL.equals(service);
    }

    /** A success reply of {@code service} in its part's style, plus {@code extra} fields. */
    public static Envelope success(String service, Map<String, Object> extra) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", isPartOneStyle(service) ? SUCESSO : OK);
        data.putAll(extra);
        return new Envelope(service, data);
    }

    public static Envelope success(String service) {
        return success(service, Map.of());
    }

    /** An error reply: {@code status: "erro"} with the text under both {@code description} and {@code message}. */
    public static Envelope error(String service, String text) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", ERRO);
        data.put("description", text);
        data.put("message", text);
        return new Envelope(service == null ? Services.ERROR : service, data);
    }

    /** Whether a decoded reply says success ({@code sucesso} or {@code OK}). */
    public static boolean isSuccess(Envelope reply) {
        Object status = reply.data().get("status");
        return SUCESSO.equals(status) || OK.equals(status);
    }

    /** The error text of a reply ({@code description} or {@code message}), or null. */
    public static String errorText(Envelope reply) {
        if (!ERRO.equals(reply.data().get("status"))) {
            return null;
        }
        Object text = reply.data().get("description");
        if (!(text instanceof String)) {
            text = reply.data().get("message");
        }
        return text instanceof String s ? s : "error (no description)";
    }

    /** {@code users}: the list under {@code users}. */
    public static Envelope users(List<String> users) {
        return new Envelope(Services.USERS, Map.of("users", List.copyOf(users)));
    }

    /** {@code channels}: the list under {@code users} (the statement's key) and {@code channels}. */
    public static Envelope channels(List<String> channels) {
        List<String> copy = List.copyOf(channels);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("users", copy);
        data.put("channels", copy);
        return new Envelope(Services.CHANNELS, data);
    }

    /** {@code clock}: the coordinator's time in float epoch seconds under {@code time}. */
    public static Envelope clock(double timeSeconds) {
        return new Envelope(Services.CLOCK, Map.of("time", timeSeconds));
    }

    /** {@code election}: {@code election: "OK"}. */
    public static Envelope election() {
        return new Envelope(Services.ELECTION, Map.of("election", OK));
    }

    /** {@code rank}: the server's rank. */
    public static Envelope rank(long rank) {
        return new Envelope(Services.RANK, Map.of("rank", rank));
    }

    /** One item of the reference's {@code list}: name, rank and (extension) peer address. */
    public record ServerEntry(String name, long rank, String address) {
        public Map<String, Object> toMap() {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", name);
            item.put("rank", rank);
            if (address != null) {
                item.put("address", address);
            }
            return item;
        }

        public static ServerEntry fromFields(Fields f) {
            return new ServerEntry(
                    f.requireText("name", 256),
                    f.requireLong("rank"),
                    f.optionalText("address", 256).orElse(null));
        }
    }

    /** {@code list}: the live servers as {@code [{name, rank, address}]}. */
    public static Envelope list(List<ServerEntry> servers) {
        return new Envelope(
                Services.LIST,
                Map.of("list", servers.stream().map(ServerEntry::toMap).toList()));
    }

    /** {@code heartbeat}: an empty acknowledgement (timestamp and clock are stamped). */
    public static Envelope heartbeat() {
        return new Envelope(Services.HEARTBEAT, Map.of());
    }

    /**
     * A page of history: {@code messages} (publication payloads in sequence order),
     * {@code next_seq} (the {@code after_seq} to ask for the next page) and {@code more}.
     */
    public static Envelope history(String service, List<Publication> messages, long nextSeq, boolean more) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", OK);
        data.put("messages", messages.stream().map(Publication::toPayload).toList());
        data.put("next_seq", nextSeq);
        data.put("more", more);
        return new Envelope(service, data);
    }

    /**
     * A page of a social read (extension): {@code status: "OK"}, the items under {@code itemsField}, the cursor of
     * the next page under {@code nextField}, {@code more}, then the read's counts ({@code extra}).
     */
    public static Envelope socialPage(
            String service,
            String itemsField,
            List<?> items,
            String nextField,
            Object next,
            boolean more,
            Map<String, Object> extra) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", OK);
        data.put(itemsField, List.copyOf(items));
        data.put(nextField, next);
        data.put("more", more);
        data.putAll(extra);
        return new Envelope(service, data);
    }
}
