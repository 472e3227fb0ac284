package io.synod.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The {@code server} command line {@code ./synod up} starts server {@code i} with: every broker, proxy and the
 * reference, the server's own ports, directories and log, and the options {@code up} hands on to every server (rate
 * limits, search index, secure mode, admin key, clock skew), so that one cluster's servers run alike.
 */
final class UpServerArguments {
    private UpServerArguments() {}

    /**
     * The arguments of server {@code i} (from 1) of {@code up}, its log under {@code logs} and its data under {@code
     * data}; with {@code --skew}, its clock skew is the next one {@code skews} draws.
     */
    static List<String> of(UpCommand up, int i, Path logs, Path data, Random skews) {
        String name = "server-" + i;
        String endpointPrefix = "tcp://" + up.host + ":";
        List<String> args = new ArrayList<>(List.of(
                "server",
                "--name",
                name,
                "--broker",
                up.endpoints(up.brokerPort, up.brokers, 1),
                "--proxy",
                up.endpoints(up.proxyPort, up.proxies, 0),
                "--reference",
                endpointPrefix + up.referencePort,
                "--data-dir",
                data.resolve(name).toString(),
                "--admin-port",
                Integer.toString(up.adminPort + i - 1),
                "--advertise",
                endpointPrefix + (up.peerPort + i - 1),
                "--log",
                logs.resolve(name + ".jsonl").toString()));
        args.addAll(up.rateLimits.asArguments());
        args.add("--search-index");
        args.add(up.searchIndex);
        if (up.servers > 1) { // a server without them is a group of one
            args.add("--initial-members");
            args.add(initialMembers(up, endpointPrefix));
        }
        args.addAll(up.serverKeyArguments());
        if (up.adminKeyFile != null) {
            args.add("--admin-key");
            args.add(up.adminKeyFile.toString());
        }
        if (up.skew) {
            args.add("--clock-skew-ms");
            args.add(Integer.toString(skews.nextInt(-1000, 1001)));
        }
        return args;
    }

    /** {@code server-1=tcp://host:paxosPort,...}: the same list, in node-id order, for every server. */
    private static String initialMembers(UpCommand up, String endpointPrefix) {
        List<String> members = new ArrayList<>();
        for (int i = 1; i <= up.servers; i++) {
            members.add("server-" + i + "=" + endpointPrefix + (up.paxosPort + i - 1));
        }
        return String.join(",", members);
    }
}
