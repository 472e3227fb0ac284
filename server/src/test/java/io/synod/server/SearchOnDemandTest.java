package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.InMemoryChatStore;
import io.synod.core.Result;
import io.synod.messaging.ZmqMessages;
import io.synod.protocol.Envelope;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The search index on demand ({@link SearchIndexMode}): a server indexes nothing until a search reaches it; that
 * search is parked ({@link ParkedReads}) while the index is rebuilt from the store and then sees every earlier write;
 * later writes are indexed as they are applied; an idle index is dropped and a later search builds it again. {@code
 * always} indexes from the start, and a bad {@code --search-index} is refused naming the option.
 */
class SearchOnDemandTest {
    /** How long a test waits for the indexer thread to rebuild a few messages (a bound, not a measurement). */
    private static final long REBUILD_WAIT_MILLIS = 10_000;

    private final ChatStateMachine machine = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
    private final ChatService service = TestChatServices.of(machine);
    private final SearchService search = service.search();
    private final ParkedReads parked = new ParkedReads(machine, service);
    private final List<SearchService> others = new ArrayList<>();
    private long requestId;

    @AfterEach
    void close() {
        search.close();
        others.forEach(SearchService::close);
    }

    /** Sends a write, decides it at the next index, applies it and tells the index, as replication does. */
    private void write(String service, Map<String, Object> fields) {
        Map<String, Object> data = new HashMap<>(fields);
        data.put("client_id", "on-demand-test");
        data.put("request_id", ++requestId);
        ChatService.Handled handled = this.service.handle(new Envelope(service, data).encode(), "peer");
        Command command = handled.deferred().command().withIndex(machine.appliedIndex() + 1);
        Result result = machine.apply(command);
        search.applied(command.index(), result.publications());
        assertThat(result.isOk()).as(service + " " + fields).isTrue();
    }

    private void world() {
        for (String user : List.of("ana", "bob")) {
            write("login", Map.of("user", user));
        }
        write("channel", Map.of("channel", "geral"));
        write("publish", Map.of("user", "ana", "channel", "geral", "message", "uma ação no canal"));
        write("post", Map.of("user", "bob", "message", "Ação! um post"));
        write("message", Map.of("src", "bob", "dst", "ana", "message", "ação secreta"));
    }

    private ChatService.Handled handleSearch(String user, String query) {
        return handleSearch(Map.of("user", user, "query", query));
    }

    private ChatService.Handled handleSearch(Map<String, Object> data) {
        return service.handle(new Envelope("search", data).encode(), "peer");
    }

    /**
     * A search as the server answers it: at once, or parked and answered by the loop's turns once the index is built
     * (bounded); returns the messages found.
     */
    private List<Object> searchAsTheServer(String user, String query) throws InterruptedException {
        ChatService.Handled handled = handleSearch(user, query);
        if (handled.reply() != null) {
            return messages(handled.reply());
        }
        assertThat(handled.deferredRead()).as("a search is answered or parked").isNotNull();
        List<ChatService.Handled> replies = new ArrayList<>();
        ZmqMessages.Routed routed = new ZmqMessages.Routed(List.of(), List.of());
        parked.park(routed, handled.deferredRead(), System.nanoTime(), (to, reply) -> replies.add(reply));
        return answered(replies);
    }

    /** The messages of the one reply the loop's turns give a parked search (bounded). */
    private List<Object> answered(List<ChatService.Handled> replies) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REBUILD_WAIT_MILLIS);
        while (replies.isEmpty() && System.nanoTime() < deadline) {
            parked.answerDue(System.nanoTime(), (to, reply) -> replies.add(reply)); // a turn of the loop
            Thread.sleep(5);
        }
        assertThat(replies).as("the parked search is answered").hasSize(1);
        return messages(replies.get(0).reply());
    }

    @SuppressWarnings("unchecked")
    private static List<Object> messages(Envelope reply) {
        assertThat(reply.data()).containsEntry("status", "OK");
        return ((List<Map<String, Object>>) reply.data().get("results"))
                .stream().map(r -> r.get("message")).toList();
    }

    private static Request.Search query(String user, String text) {
        return new Request.Search(RequestMeta.NONE, user, text, null, null, null, null, 100, null);
    }

    @Test
    void aDormantServerIndexesNothingUntilTheFirstSearchWhichSeesEveryEarlierWrite() throws InterruptedException {
        search.mode(SearchIndexMode.ON_DEMAND).beforeServing();
        world();

        assertThat(search.active()).isFalse();
        assertThat(search.documentsHanded()).as("nothing handed to an indexer").isZero();
        assertThat(search.documentCount()).isZero();

        ChatService.Handled first = handleSearch("ana", "acao");
        assertThat(first.reply()).as("the first search waits for the rebuild").isNull();
        assertThat(first.deferredRead()).isNotNull();
        assertThat(search.active()).isTrue();
        assertThat(search.activations()).isEqualTo(1);

        assertThat(searchAsTheServer("ana", "acao"))
                .containsExactly("ação secreta", "Ação! um post", "uma ação no canal");

        write("post", Map.of("user", "ana", "message", "outra ação, depois"));
        assertThat(search.documentsHanded())
                .as("applied writes are indexed once active")
                .isEqualTo(1);
        ChatService.Handled later = handleSearch("bob", "depois");
        assertThat(later.reply()).as("once built, a search is answered at once").isNotNull();
        assertThat(messages(later.reply())).containsExactly("outra ação, depois");
    }

    @Test
    void aSearchWaitingForItsMinIndexActivatesTheIndexOnlyOnceThatIsApplied() throws InterruptedException {
        search.mode(SearchIndexMode.ON_DEMAND).beforeServing();
        world();
        ChatService.Handled handled =
                handleSearch(Map.of("user", "ana", "query", "futuro", "min_index", machine.appliedIndex() + 1));
        assertThat(handled.deferredRead()).isNotNull();
        List<ChatService.Handled> replies = new ArrayList<>();
        parked.park(
                new ZmqMessages.Routed(List.of(), List.of()),
                handled.deferredRead(),
                System.nanoTime(),
                (to, reply) -> replies.add(reply));
        parked.answerDue(System.nanoTime(), (to, reply) -> replies.add(reply));
        assertThat(replies).isEmpty();
        assertThat(search.active())
                .as("nothing activated before the min_index is applied")
                .isFalse();

        write("post", Map.of("user", "bob", "message", "o futuro chegou"));

        assertThat(answered(replies)).containsExactly("o futuro chegou");
        assertThat(search.activations()).isEqualTo(1);
    }

    @Test
    void anIdleIndexIsDroppedAndTheNextSearchBuildsItAgainWithTheWritesOfMeanwhile() throws InterruptedException {
        search.mode(SearchIndexMode.ON_DEMAND).beforeServing();
        world();
        assertThat(searchAsTheServer("ana", "canal")).containsExactly("uma ação no canal");

        search.dropIfIdle(System.nanoTime()); // just searched: kept
        assertThat(search.active()).isTrue();
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(SearchService.SEARCH_INDEX_IDLE_DROP_MILLIS);
        search.dropIfIdle(System.nanoTime() + idleNanos);
        assertThat(search.active()).as("dropped after the idle time").isFalse();
        assertThat(search.documentCount()).isZero();

        long handed = search.documentsHanded();
        write("publish", Map.of("user", "bob", "channel", "geral", "message", "de volta ao canal"));
        assertThat(search.documentsHanded())
                .as("a dropped index is fed nothing")
                .isEqualTo(handed);

        assertThat(searchAsTheServer("ana", "canal")).containsExactly("de volta ao canal", "uma ação no canal");
        assertThat(search.activations()).isEqualTo(2);
        assertThat(search.rebuilds())
                .as("one rebuild from the store per activation")
                .isEqualTo(2);
    }

    @Test
    void alwaysIndexesFromTheStartAndNeverParksASearch() {
        search.mode(SearchIndexMode.ALWAYS).beforeServing();
        world();

        assertThat(search.active()).isTrue();
        assertThat(search.documentsHanded()).isEqualTo(3);
        search.dropIfIdle(
                System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SearchService.SEARCH_INDEX_IDLE_DROP_MILLIS));
        assertThat(search.active()).as("never dropped").isTrue();
        ChatService.Handled handled = handleSearch("ana", "acao");
        assertThat(handled.reply()).isNotNull();
        assertThat(messages(handled.reply())).hasSize(3);
        assertThat(search.activations()).isZero();
    }

    @Test
    void aSearchDuringTheActivationRebuildWaitsAndIsRefusedIfItIsNotDone() {
        world();
        SearchService byHand = SearchService.indexedByHand(machine, 100).mode(SearchIndexMode.ON_DEMAND);
        others.add(byHand);
        byHand.beforeServing();
        assertThat(byHand.active()).isFalse();

        assertThat(byHand.answerableNow(query("ana", "acao")))
                .as("the first search activates the index and waits for its rebuild")
                .isFalse();
        assertThat(byHand.answerableNow(new Request.Users(RequestMeta.NONE)))
                .as("other reads never wait for the index")
                .isTrue();
        Envelope refused = byHand.read(query("ana", "acao"));
        assertThat(refused.data()).containsEntry("status", "erro");
        assertThat(refused.data().get("description").toString()).isEqualTo(SearchService.BUILDING_REFUSAL);

        while (byHand.indexBatch()) {} // the indexer's turn: the rebuild from the store

        assertThat(byHand.answerableNow(query("ana", "acao"))).isTrue();
        assertThat(messages(byHand.read(query("ana", "acao")))).hasSize(3);
        assertThat(byHand.activations()).isEqualTo(1);
    }

    @Test
    void aBadSearchIndexValueIsRefusedNamingTheOption() {
        assertThatThrownBy(() -> SearchIndexMode.fromOption("--search-index", "sometimes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--search-index")
                .hasMessageContaining("on-demand, always")
                .hasMessageContaining("'sometimes'");
        assertThat(SearchIndexMode.fromOption("--search-index", "always")).isEqualTo(SearchIndexMode.ALWAYS);
        assertThat(SearchIndexMode.fromOption("--search-index", "on-demand")).isEqualTo(SearchIndexMode.ON_DEMAND);

        CommandLine line = new CommandLine(new ServerCommand());
        line.setErr(new java.io.PrintWriter(new StringWriter()));
        assertThat(line.execute("--name", "s1", "--data-dir", "x", "--search-index", "sometimes"))
                .as("refused before anything starts")
                .isEqualTo(2);
    }
}
