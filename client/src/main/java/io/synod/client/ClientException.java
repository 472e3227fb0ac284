package io.synod.client;

/**
 * An operating failure of a request that produced no reply. A server that answers {@code erro}
 * is not an exception: it is a {@link ClientReply} with {@code ok() == false}.
 *
 * <p>Definite versus indefinite: {@link RequestTimeout} is <em>indefinite</em> for writes (the
 * write may have been applied; retrying it with the same request id is safe), the others are
 * <em>definite</em> (the request never left the client).
 */
public abstract sealed class ClientException extends RuntimeException
        permits ClientException.RequestTimeout, ClientException.Closed, ClientException.TooManyRequests {

    ClientException(String message) {
        super(message);
    }

    /** Whether the request may have taken effect on the servers. */
    public abstract boolean indefinite();

    /** No reply after every attempt: the named endpoint (the broker) or the servers behind it are down. */
    public static final class RequestTimeout extends ClientException {
        private final String endpoint;
        private final String service;
        private final int attempts;

        public RequestTimeout(String endpoint, String service, int attempts, long requestTimeoutMillis) {
            super("no reply to '" + service + "' from the broker at " + endpoint + " after " + attempts
                    + (attempts == 1 ? " attempt" : " attempts") + " of " + requestTimeoutMillis
                    + " ms: is the cluster (broker and servers) running?");
            this.endpoint = endpoint;
            this.service = service;
            this.attempts = attempts;
        }

        public String endpoint() {
            return endpoint;
        }

        public String service() {
            return service;
        }

        public int attempts() {
            return attempts;
        }

        @Override
        public boolean indefinite() {
            return true;
        }
    }

    /** The client was closed before the request completed (or was sent). */
    public static final class Closed extends ClientException {
        public Closed() {
            super("the client is closed");
        }

        @Override
        public boolean indefinite() {
            return false;
        }
    }

    /** Too many requests are queued ({@link ClientConfig#requestsQueuedMax()}): nothing was sent. */
    public static final class TooManyRequests extends ClientException {
        public TooManyRequests(int queuedMax) {
            super("more than " + queuedMax + " requests are waiting to be sent");
        }

        @Override
        public boolean indefinite() {
            return false;
        }
    }
}
