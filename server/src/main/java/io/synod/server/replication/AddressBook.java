package io.synod.server.replication;

import io.synod.messaging.peer.StreamPeerLinks;
import io.synod.protocol.Envelope;
import java.util.Collections;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The replication endpoint of each server this one knows by name: the configured members, itself (a port left to
 * the system is known once bound), and those learned from peers' {@code members} messages and joins. The peer links
 * connect to exactly these. Owned by the event-loop thread.
 */
final class AddressBook {
    private final ReplicationConfig config;
    private final StreamPeerLinks links;
    private final TreeMap<String, String> endpointByName = new TreeMap<>();

    AddressBook(ReplicationConfig config, StreamPeerLinks links) {
        this.config = config;
        this.links = links;
        endpointByName.putAll(config.members());
        // a port left to the system (a group of one's default) is known once bound
        boolean anyPort =
                config.selfEndpoint().endsWith(":0") || config.selfEndpoint().endsWith(":*");
        endpointByName.put(config.selfName(), anyPort ? links.boundEndpoint() : config.selfEndpoint());
        links.setPeers(endpointByName);
    }

    /** The name of node {@code id} here, or null (unknown until its address is learned, e.g. after a restart). */
    String nameOf(int id) {
        for (String name : endpointByName.keySet()) {
            if (config.idOf(name) == id) {
                return name;
            }
        }
        return null;
    }

    /** The name of the leader the replica hints at, or null if there is none or its address is unknown. */
    String leaderName(OptionalInt leader) {
        return leader.isPresent() ? nameOf(leader.getAsInt()) : null;
    }

    /** The endpoint of {@code name}, or null. */
    String endpointOf(String name) {
        return endpointByName.get(name);
    }

    /** Whether {@code name} is a member or a joiner known here. */
    boolean knows(String name) {
        return endpointByName.containsKey(name);
    }

    /** Every known name and endpoint, by name (a read-only view). */
    Map<String, String> endpoints() {
        return Collections.unmodifiableMap(endpointByName);
    }

    /** Merges endpoints learned from a peer; a name keeps the endpoint it was first known with here. */
    void learn(Map<String, String> learned) {
        boolean changed = false;
        for (Map.Entry<String, String> e : learned.entrySet()) {
            if (ReplicationConfig.nodeIdOf(e.getKey()) >= 1 && !endpointByName.containsKey(e.getKey())) {
                endpointByName.put(e.getKey(), e.getValue());
                changed = true;
            }
        }
        if (changed) {
            links.setPeers(endpointByName);
        }
    }

    /** Sets the endpoint of {@code name}: a joiner may come back on a new endpoint. */
    void update(String name, String endpoint) {
        if (!endpoint.equals(endpointByName.get(name))) {
            endpointByName.put(name, endpoint);
            links.setPeers(endpointByName);
        }
    }

    /** Sends {@code message} to every known server but this one. */
    void sendToPeers(Envelope message) {
        for (String name : endpointByName.keySet()) {
            if (!name.equals(config.selfName())) {
                links.send(name, message);
            }
        }
    }
}
