package io.synod.search;

import java.util.Objects;

/**
 * One searchable thing a user wrote, as the server's store holds it. Every document carries {@link #index()}, the
 * chat index of the command that created it (slot * 1024 + position): unique among documents and increasing in
 * apply order, so it is both the document's identity (adding a document whose index is already in the index
 * replaces it, so replaying an apply is harmless) and the "newest first" order, the same on every server whatever
 * the clocks said. The timestamp is only shown.
 */
public sealed interface SearchDocument
        permits SearchDocument.ChannelMessage, SearchDocument.Post, SearchDocument.PrivateMessage {

    /** The chat index of the command that created the document: identity and apply order. */
    long index();

    /** Who wrote it (a private message's sender). */
    String author();

    /** The text searched and shown, as stored. */
    String text();

    /** When the server that applied it stamped it, in seconds (the protocol's {@code timestamp}). */
    double timestampSeconds();

    DocumentKind kind();

    /** A message published on {@code channel}, the {@code seq}-th of that channel's topic. */
    record ChannelMessage(long index, String channel, long seq, String author, String text, double timestampSeconds)
            implements SearchDocument {
        public ChannelMessage {
            checkIndex(index);
            Objects.requireNonNull(channel, "channel");
            Objects.requireNonNull(author, "author");
            Objects.requireNonNull(text, "text");
        }

        @Override
        public DocumentKind kind() {
            return DocumentKind.CHANNEL;
        }
    }

    /** A post, public to every user (N1); {@code postId} is its id on the wire ({@code <index>-0}). */
    record Post(long index, String postId, String author, String text, double timestampSeconds)
            implements SearchDocument {
        public Post {
            checkIndex(index);
            Objects.requireNonNull(postId, "postId");
            Objects.requireNonNull(author, "author");
            Objects.requireNonNull(text, "text");
        }

        @Override
        public DocumentKind kind() {
            return DocumentKind.POST;
        }
    }

    /** A private message from {@code from} to {@code to}: only those two ever find it. */
    record PrivateMessage(long index, String from, String to, String text, double timestampSeconds)
            implements SearchDocument {
        public PrivateMessage {
            checkIndex(index);
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(text, "text");
        }

        @Override
        public String author() {
            return from;
        }

        @Override
        public DocumentKind kind() {
            return DocumentKind.PRIVATE;
        }
    }

    private static void checkIndex(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("a document's index is not negative: " + index);
        }
    }
}
