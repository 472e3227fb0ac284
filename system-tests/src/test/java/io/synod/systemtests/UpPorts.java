package io.synod.systemtests;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The ports of one {@code synod up} in a test, free on loopback: each is the first of a range the launcher counts up
 * from (a proxy's XPUB above its XSUB, a second broker, the servers' admin, peer and Paxos ports).
 */
record UpPorts(int broker, int proxy, int reference, int admin, int peer, int paxos) {
    /** Ports for {@code servers} servers, with {@code forwarderPorts} free from the broker's and from the proxy's. */
    static UpPorts free(int forwarderPorts, int servers) throws IOException {
        return new UpPorts(
                Processes.freeRange(forwarderPorts),
                Processes.freeRange(forwarderPorts),
                Processes.freePort(),
                Processes.freeRange(servers),
                Processes.freeRange(servers),
                Processes.freeRange(servers));
    }

    /** {@code up}, then {@code options}, then the options that give these ports. */
    List<String> up(String... options) {
        List<String> arguments = new ArrayList<>(List.of("up"));
        arguments.addAll(List.of(options));
        arguments.addAll(List.of(
                "--broker-port",
                Integer.toString(broker),
                "--proxy-port",
                Integer.toString(proxy),
                "--reference-port",
                Integer.toString(reference),
                "--admin-port",
                Integer.toString(admin),
                "--peer-port",
                Integer.toString(peer),
                "--paxos-port",
                Integer.toString(paxos)));
        return arguments;
    }

    /** The first broker's client endpoint (its ROUTER). */
    String brokerEndpoint() {
        return Processes.endpoint(broker);
    }

    /** The first proxy's subscriber endpoint (its XPUB, the port above its XSUB). */
    String xpubEndpoint() {
        return Processes.endpoint(proxy + 1);
    }
}
