package io.synod.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code <run-dir>/cluster.json}: where a cluster that {@code ./synod up} started listens (brokers, proxies,
 * reference, servers' admin endpoints, web) and its processes' pids, for {@code ./synod status}, the bench and
 * scripts.
 */
final class ClusterFile {
    private ClusterFile() {}

    static void write(UpCommand up, Map<String, Long> pids) throws IOException {
        Map<String, Object> cluster = new LinkedHashMap<>();
        cluster.put(
                "broker",
                Map.of(
                        "clients",
                        "tcp://" + up.host + ":" + up.brokerPort,
                        "servers",
                        "tcp://" + up.host + ":" + (up.brokerPort + 1)));
        cluster.put(
                "proxy",
                Map.of(
                        "publishers",
                        "tcp://" + up.host + ":" + up.proxyPort,
                        "subscribers",
                        "tcp://" + up.host + ":" + (up.proxyPort + 1)));
        List<Map<String, Object>> brokerList = new ArrayList<>();
        for (int k = 1; k <= up.brokers; k++) {
            int port = UpCommand.forwarderPort(up.brokerPort, k);
            brokerList.add(forwarderEntry(
                    up.host, UpCommand.forwarderName("broker", k, up.brokers), "clients", "servers", port));
        }
        cluster.put("brokers", brokerList); // "broker" and "proxy" above: the first ones, as before
        List<Map<String, Object>> proxyList = new ArrayList<>();
        for (int k = 1; k <= up.proxies; k++) {
            int port = UpCommand.forwarderPort(up.proxyPort, k);
            proxyList.add(forwarderEntry(
                    up.host, UpCommand.forwarderName("proxy", k, up.proxies), "publishers", "subscribers", port));
        }
        cluster.put("proxies", proxyList);
        cluster.put("reference", "tcp://" + up.host + ":" + up.referencePort);
        List<Map<String, Object>> serverList = new ArrayList<>();
        for (int i = 1; i <= up.servers; i++) {
            serverList.add(Map.of("name", "server-" + i, "admin", up.adminUrl(i)));
        }
        cluster.put("servers", serverList);
        if (!up.noWeb) {
            cluster.put("web", up.webUrl());
        }
        cluster.put("pids", pids);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(up.runDir.resolve("cluster.json").toFile(), cluster);
    }

    /** A broker's or proxy's {@code cluster.json} entry: its name, then its two endpoints in port order. */
    private static Map<String, Object> forwarderEntry(
            String host, String name, String firstSide, String secondSide, int port) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("name", name);
        entry.put(firstSide, "tcp://" + host + ":" + port);
        entry.put(secondSide, "tcp://" + host + ":" + (port + 1));
        return entry;
    }
}
