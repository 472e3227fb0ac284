package io.synod.bench.load;

/** A run that cannot go on (the cluster does not answer, setup failed); the message says why. */
public final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchException(String message) {
        super(message);
    }
}
