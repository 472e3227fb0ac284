package io.synod.search;

/** What a {@link SearchDocument} is, with the name a request's {@code kind} filter and a reply's hit use. */
public enum DocumentKind {
    /** A message published on a channel: public. */
    CHANNEL("channel"),
    /** A post (N1): public. */
    POST("post"),
    /** A private message: visible only to its sender and its recipient. */
    PRIVATE("private");

    private final String wireName;

    DocumentKind(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /**
     * The kind named {@code name} on the wire.
     *
     * @throws SearchException naming {@code field} when no kind has that name
     */
    public static DocumentKind fromWire(String field, String name) {
        for (DocumentKind kind : values()) {
            if (kind.wireName.equals(name)) {
                return kind;
            }
        }
        throw new SearchException(field, "field '" + field + "' must be one of channel, post, private");
    }
}
