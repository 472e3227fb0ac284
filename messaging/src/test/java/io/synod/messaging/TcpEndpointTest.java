package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

class TcpEndpointTest {
    @Test
    void endpointsAreParsedForConnectingAndForBinding() {
        assertThat(TcpEndpoint.parse("tcp://127.0.0.1:5555", false))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 5555));
        assertThat(TcpEndpoint.parse("tcp://127.0.0.1:*", true).getPort()).isZero();
        assertThat(TcpEndpoint.parse("tcp://*:7", true).getAddress().isAnyLocalAddress())
                .isTrue();
        assertThatThrownBy(() -> TcpEndpoint.parse("tcp://127.0.0.1:*", false)).hasMessageContaining("tcp://HOST:PORT");
        assertThatThrownBy(() -> TcpEndpoint.parse("ipc://x", false)).hasMessageContaining("tcp://HOST:PORT");
        assertThatThrownBy(() -> TcpEndpoint.parse("tcp://nowhere.invalid:1", true))
                .hasMessageContaining("unknown host");
    }

    /** A socket bound to a port and connected to that same port is TCP's self-connection, made on purpose here. */
    @Test
    void aConnectionToItselfIsRefusedAndARealOneIsNot() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (SocketChannel self = SocketChannel.open()) {
            self.bind(address);
            self.connect(address);
            assertThatThrownBy(() -> TcpEndpoint.refuseSelfConnection(self))
                    .hasMessageContaining("connected to itself");
        }
        try (ServerSocketChannel server =
                        ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = SocketChannel.open(server.getLocalAddress())) {
            TcpEndpoint.refuseSelfConnection(client);
            assertThat(client.isConnected()).isTrue();
        }
    }
}
