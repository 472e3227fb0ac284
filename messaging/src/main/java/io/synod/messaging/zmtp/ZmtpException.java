package io.synod.messaging.zmtp;

/** A peer broke the ZeroMQ wire protocol or a limit: its connection is closed. */
public class ZmtpException extends RuntimeException {
    public ZmtpException(String message) {
        super(message);
    }
}
