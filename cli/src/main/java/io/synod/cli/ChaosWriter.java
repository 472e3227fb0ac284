package io.synod.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.client.ClientConfig;
import io.synod.client.ClientException;
import io.synod.client.ClientReply;
import io.synod.client.Delivery;
import io.synod.client.DeliveryListener;
import io.synod.client.SynodClient;
import io.synod.protocol.Publication;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code synod chaos-writer} (hidden; started by {@code synod chaos} and the namespace tests): a checked writer. It
 * logs in as {@code --name}, creates and subscribes its own channel, and publishes {@code <name>-<n>} at
 * {@code --rate}, one write at a time, each retried with the same request id by {@link SynodClient} (exactly-once).
 * It records, one JSON line each in {@code --record}: every acknowledged write ({@code ack}), every write that got an
 * error or no reply ({@code refused}, {@code unknown}: not acknowledged, may or may not be applied), every delivery of
 * its channel by {@code seq}, and every gap the client had to skip. It runs in a namespace of its own, so the
 * orchestrator steers it by files: {@code <control>/stop} ends the writing, {@code <control>/read} makes it read the
 * channel's whole history (once the orchestrator saw the servers converge), record it and exit. A {@code stopped}
 * line says the last write is answered.
 */
@Command(name = "chaos-writer", hidden = true, description = "A checked writer for `synod chaos` (records acks).")
final class ChaosWriter implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How often the control directory is looked at while idle. */
    private static final long CONTROL_POLL_MILLIS = 100;
    /** Longest wait for the {@code read} file after {@code stop}: the orchestrator's own waits are shorter. */
    private static final long READ_WAIT_MILLIS_MAX = 300_000;
    /** Attempts of a history read before the writer gives up (each one retried by the client). */
    private static final int HISTORY_ATTEMPTS_MAX = 10;
    /** One attempt's reply wait; with the retries below a write is given up after ~60 s (then: unknown). */
    private static final long REQUEST_TIMEOUT_MILLIS = 1_500;

    private static final int REQUEST_RETRIES_MAX = 40;

    @Option(names = "--broker", required = true, description = "broker ROUTER endpoint")
    String broker;

    @Option(names = "--proxy", required = true, description = "proxy XPUB endpoint")
    String proxy;

    @Option(names = "--name", required = true, description = "user name; the channel is chaos-<name>")
    String name;

    @Option(names = "--rate", defaultValue = "5", description = "writes per second (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--record", required = true, description = "JSON-lines record of acks and deliveries")
    Path record;

    @Option(names = "--control", required = true, description = "directory watched for the stop and read files")
    Path control;

    private BufferedWriter out;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (!(rate > 0) || rate > 1_000) {
            System.err.println("chaos-writer: --rate must be in (0, 1000]");
            return 2;
        }
        Files.createDirectories(control);
        out = Files.newBufferedWriter(
                record,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        String channel = "chaos-" + name;
        ClientConfig config = ClientConfig.defaults(broker, proxy)
                .withRequestTimeoutMillis(REQUEST_TIMEOUT_MILLIS)
                .withRequestRetriesMax(REQUEST_RETRIES_MAX);
        try (SynodClient client = SynodClient.connect(config, new Recorder(channel))) {
            until(() -> client.login(name).ok(), "login");
            until(() -> ok(client.createChannel(channel)), "channel");
            client.subscribe(channel, true);
            System.out.println("chaos-writer " + name + " ready channel=" + channel);
            System.out.flush();
            write(client, channel);
            long deadline = System.currentTimeMillis() + READ_WAIT_MILLIS_MAX;
            while (!Files.exists(control.resolve("read")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(CONTROL_POLL_MILLIS);
            }
            readHistory(client, channel, config.historyPageSize());
        } finally {
            synchronized (this) {
                out.close();
            }
        }
        return 0;
    }

    private void write(SynodClient client, String channel) throws InterruptedException {
        long periodNanos = (long) (1_000_000_000L / rate);
        long next = System.nanoTime();
        for (long n = 1; !Files.exists(control.resolve("stop")); n++) {
            String text = name + "-" + n;
            try {
                ClientReply.Status reply = client.publish(channel, text);
                record(reply.ok() ? Map.of("ack", text) : Map.of("refused", text, "error", "" + reply.errorText()));
            } catch (ClientException e) {
                record(Map.of("unknown", text, "error", e.getClass().getSimpleName()));
            }
            next += periodNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            } else {
                next = System.nanoTime(); // behind (a fault slowed the writes): no burst to catch up
            }
            written = n;
        }
        record(Map.of("stopped", written));
    }

    private long written;

    /** The channel's every message, in seq order, as one {@code history} line. */
    private void readHistory(SynodClient client, String channel, int pageSize) {
        for (int attempt = 1; attempt <= HISTORY_ATTEMPTS_MAX; attempt++) {
            try {
                List<Object> texts = new ArrayList<>();
                List<Object> seqs = new ArrayList<>();
                long after = 0;
                boolean complete = true;
                while (true) {
                    ClientReply.HistoryPage page = client.history(channel, after, pageSize);
                    if (!page.ok()) {
                        complete = false;
                        break;
                    }
                    for (Publication p : page.messages()) {
                        if (p instanceof Publication.ChannelPost post) {
                            texts.add(post.message());
                            seqs.add(post.seq());
                        }
                    }
                    if (!page.more() || page.nextSeq() <= after) {
                        break;
                    }
                    after = page.nextSeq();
                }
                if (complete) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("history", texts);
                    line.put("seqs", seqs);
                    record(line);
                    return;
                }
            } catch (ClientException e) {
                // a fault still settling: read again
            }
        }
        record(Map.of("history_failed", HISTORY_ATTEMPTS_MAX));
    }

    private static boolean ok(ClientReply.Status reply) {
        return reply.ok() || String.valueOf(reply.errorText()).contains("already exists");
    }

    /** Retries a setup call (login, channel) until it succeeds, for as long as a write may take. */
    private static void until(java.util.function.BooleanSupplier call, String what) throws InterruptedException {
        for (int attempt = 0; attempt < 30; attempt++) {
            try {
                if (call.getAsBoolean()) {
                    return;
                }
            } catch (ClientException e) {
                // retried below
            }
            Thread.sleep(1_000);
        }
        throw new IllegalStateException("chaos-writer: " + what + " never succeeded");
    }

    private synchronized void record(Map<String, Object> line) {
        try {
            out.write(JSON.writeValueAsString(line));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Records the deliveries of the writer's channel and the gaps skipped. */
    private final class Recorder implements DeliveryListener {
        private final String channel;

        Recorder(String channel) {
            this.channel = channel;
        }

        @Override
        public void onDelivery(Delivery delivery) {
            if (channel.equals(delivery.topic()) && delivery.publication() instanceof Publication.ChannelPost post) {
                record(Map.of(
                        "seq",
                        post.seq(),
                        "text",
                        post.message(),
                        "source",
                        delivery.source().name()));
            }
        }

        @Override
        public void onGapSkipped(String topic, long fromSeq, long toSeq) {
            if (channel.equals(topic)) {
                record(Map.of("gap_from", fromSeq, "gap_to", toSeq));
            }
        }
    }
}
