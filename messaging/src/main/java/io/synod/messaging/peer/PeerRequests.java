package io.synod.messaging.peer;

import io.synod.messaging.TcpEndpoint;
import io.synod.messaging.zmtp.CurveMechanism;
import io.synod.messaging.zmtp.ZmtpSecurity;
import io.synod.protocol.Envelope;
import io.synod.protocol.Limits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A tool's one blocking request on a server's replication port ({@code synod admin}): the link's own framing and
 * hello ({@link StreamPeerLinks}), plain or, on a secure cluster, CurveZMQ with the server key.
 */
public final class PeerRequests {
    private PeerRequests() {}

    /**
     * One request from a tool (e.g. {@code synod admin}): connects to {@code endpoint}, sends the hello and
     * {@code request} (unstamped), and waits for one answer on the same connection. Blocking.
     *
     * @param endpoint a server's replication endpoint, {@code tcp://HOST:PORT}
     * @param selfName the name in the hello (how the server's log names the asker)
     * @param request the envelope to send
     * @param timeoutMillis longest wait for the connection and for the answer, each
     * @param limits bounds the answer
     * @return the answer
     * @throws IOException if the server cannot be reached, closes the connection, does not answer in time
     *     ({@link java.net.SocketTimeoutException}) or answers with something that is not a valid envelope
     */
    public static Envelope request(String endpoint, String selfName, Envelope request, int timeoutMillis, Limits limits)
            throws IOException {
        return request(endpoint, selfName, request, timeoutMillis, limits, null);
    }

    /**
     * {@link #request(String, String, Envelope, int, Limits)} on a secure cluster's link: CurveZMQ with the cluster's
     * server key ({@link StreamPeerLinks#secure}), the hello and the request boxed after the handshake; {@code serverKeys} null
     * speaks plain frames.
     */
    public static Envelope request(
            String endpoint,
            String selfName,
            Envelope request,
            int timeoutMillis,
            Limits limits,
            io.synod.messaging.zmtp.CurveCrypto.KeyPair serverKeys)
            throws IOException {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(TcpEndpoint.parse(endpoint, false), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            java.io.OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream());
            java.io.DataInputStream in =
                    new java.io.DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            StreamCurve curve = serverKeys == null ? null : new StreamCurve(ZmtpSecurity.serverLink(serverKeys));
            try {
                if (curve != null) { // the handshake first: HELLO, WELCOME, INITIATE, READY
                    out.write(StreamPeerLinks.frame(curve.start()).array());
                    out.flush();
                    while (!curve.ready()) {
                        List<byte[]> replies = new ArrayList<>();
                        curve.receive(readFrame(in, StreamPeerLinks.HANDSHAKE_FRAME_BYTES_MAX, endpoint), replies);
                        for (byte[] reply : replies) {
                            out.write(StreamPeerLinks.frame(reply).array());
                        }
                        out.flush();
                    }
                }
                byte[] hello = StreamPeerLinks.hello(selfName);
                byte[] body = request.encode();
                out.write(StreamPeerLinks.frame(curve == null ? hello : curve.box(hello))
                        .array());
                out.write(StreamPeerLinks.frame(curve == null ? body : curve.box(body))
                        .array());
                out.flush();
                int answerBytesMax =
                        limits.frameBytesMax() + (curve == null ? 0 : CurveMechanism.MESSAGE_OVERHEAD_BYTES);
                byte[] answer = readFrame(in, answerBytesMax, endpoint);
                if (curve != null) {
                    answer = curve.receive(answer, new ArrayList<>());
                }
                return Envelope.decode(answer, limits);
            } catch (io.synod.messaging.zmtp.ZmtpException e) {
                throw new IOException("secure link to " + endpoint + " refused: " + e.getMessage(), e);
            } catch (io.synod.protocol.ProtocolException e) {
                throw new IOException("invalid answer from " + endpoint + ": " + e.getMessage(), e);
            }
        }
    }

    private static byte[] readFrame(java.io.DataInputStream in, int bytesMax, String endpoint) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > bytesMax) {
            throw new IOException("a frame of " + length + " bytes from " + endpoint);
        }
        byte[] frame = new byte[length];
        in.readFully(frame);
        return frame;
    }
}
