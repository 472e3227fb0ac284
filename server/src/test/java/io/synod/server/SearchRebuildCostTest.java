package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatCommand;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.protocol.Envelope;
import io.synod.protocol.Publication;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import io.synod.store.RocksDbChatStore;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stall of a server's index rebuild (start-up, checkpoint install): every message read from a RocksDB store a
 * page at a time and indexed, on the calling thread (the event loop). Printed, not asserted (a measurement); what is
 * checked is that every message is in the rebuilt index. Every build runs 6,000 messages; docs/search.md's figures
 * come from {@code ./mvnw -B -ntp -o -pl server -am test -Dtest=SearchRebuildCostTest
 * -Dsearch.measure.messages=100000 -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true}.
 */
class SearchRebuildCostTest {
    private static final int MESSAGES = Integer.getInteger("search.measure.messages", 6_000);
    private static final int APPLY_BATCH_COMMANDS = 4_096;
    private static final int ADDS = 1_000;
    private static final String[] VOCABULARY =
            ("ação coração pão café você árvore sol mar casa chat news hello world são paulo rio "
                            + "amanhã reunião projeto código servidor cliente mensagem canal grupo hoje ontem bom dia "
                            + "obrigado please thanks meeting deploy build test release bug fix review merge lunch")
                    .split(" ");

    @TempDir
    Path directory;

    @Test
    void aRebuildFromTheStoreIndexesEveryMessage() {
        try (RocksDbChatStore store = RocksDbChatStore.open(directory.resolve("state"))) {
            ChatStateMachine machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
            fill(machine);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            try (SearchService search = new SearchService(machine)) {
                long started = System.nanoTime();
                long cpuStarted = threads.getCurrentThreadCpuTime();
                search.rebuild();
                long cpuMillis = (threads.getCurrentThreadCpuTime() - cpuStarted) / 1_000_000;
                long wallMillis = (System.nanoTime() - started) / 1_000_000;

                assertThat(search.documentCount()).isEqualTo(MESSAGES);
                long addsStarted = threads.getCurrentThreadCpuTime();
                for (int i = 1; i <= ADDS; i++) { // what the loop does per message applied: hand it over
                    long index = machine.appliedIndex() + i;
                    search.applied(
                            index,
                            List.of(new Publication.SocialPost(
                                    "bob", "mensagem nova " + i, "", index, index, i, index + "-0", index)));
                }
                long addMicros = (threads.getCurrentThreadCpuTime() - addsStarted) / 1_000 / ADDS;
                assertThat(search.documentCount()).isEqualTo(MESSAGES + ADDS);
                Envelope page = search.read(
                        new Request.Search(RequestMeta.NONE, "ana", "mensagem", null, null, null, null, 100, null));
                assertThat(page.data()).containsEntry("status", "OK");
                assertThat((List<?>) page.data().get("results")).isNotEmpty();
                System.out.printf(
                        "search rebuild from RocksDB: %d messages in %d ms wall, %d ms CPU on the calling thread;"
                                + " then handing an add to the indexer costs the loop %d us of CPU%n",
                        MESSAGES, wallMillis, cpuMillis, addMicros);
            }
        }
    }

    /** A third each of channel messages, private messages and posts, 5 to 24 words from the vocabulary. */
    private static void fill(ChatStateMachine machine) {
        Random random = new Random(7);
        List<Command> batch = new ArrayList<>();
        long index = 0;
        List<ChatCommand> setup = List.of(
                new ChatCommand.Login("ana"),
                new ChatCommand.Login("bob"),
                new ChatCommand.Login("carla"),
                new ChatCommand.CreateChannel("geral"));
        for (ChatCommand operation : setup) {
            index++;
            machine.apply(Command.of(index, index, index, operation));
        }
        for (int i = 0; i < MESSAGES; i++) {
            StringBuilder text = new StringBuilder("mensagem");
            for (int words = 4 + random.nextInt(20); words > 0; words--) {
                text.append(' ').append(VOCABULARY[random.nextInt(VOCABULARY.length)]);
            }
            ChatCommand operation = switch (i % 3) {
                case 0 -> new ChatCommand.Publish("ana", "geral", text.toString());
                case 1 -> new ChatCommand.SendMessage("ana", "carla", text.toString());
                default -> new ChatCommand.Post("bob", text.toString(), "");
            };
            index++;
            batch.add(Command.of(index, index, index, operation));
            if (batch.size() == APPLY_BATCH_COMMANDS) {
                machine.applyAll(batch);
                batch.clear();
            }
        }
        machine.applyAll(batch);
        machine.sync();
    }
}
