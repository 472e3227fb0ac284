package io.synod.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.core.ChatCommand;
import io.synod.core.ChatConfig;
import io.synod.core.ChatStateMachine;
import io.synod.core.Command;
import io.synod.core.InMemoryChatStore;
import io.synod.core.Result;
import io.synod.protocol.Envelope;
import io.synod.protocol.Request;
import io.synod.protocol.RequestMeta;
import io.synod.search.SearchIndex;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code search} service through the request handler: writes through the (simulated) log and fed to the index as
 * the replication driver feeds it, searches as reads, bad input, and the rebuild from the store.
 */
class SearchServiceTest {
    private final InMemoryChatStore store = new InMemoryChatStore();
    private ChatStateMachine machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
    private ChatService service = TestChatServices.of(machine);
    private final List<ChatService> services = new ArrayList<>(List.of(service));
    private long requestId;

    private final List<SearchService> searches = new ArrayList<>();

    @AfterEach
    void closeIndexes() {
        services.forEach(s -> s.search().close());
        searches.forEach(SearchService::close);
    }

    private ChatService.Handled handle(String service, Map<String, Object> data) {
        return this.service.handle(new Envelope(service, data).encode(), "peer");
    }

    /** Sends a write, decides it at the next index, applies it and tells the index, as replication does. */
    private Map<String, Object> write(String service, Map<String, Object> fields) {
        Map<String, Object> data = new HashMap<>(fields);
        data.put("client_id", "search-test");
        data.put("request_id", ++requestId);
        ChatService.Handled handled = handle(service, data);
        assertThat(handled.deferred()).as("a write goes to the log").isNotNull();
        Command command = handled.deferred().command().withIndex(machine.appliedIndex() + 1);
        Result result = machine.apply(command);
        this.service.search().applied(command.index(), result.publications());
        Map<String, Object> reply = this.service
                .complete(handled.deferred(), result, command.index())
                .reply()
                .data();
        assertThat(reply.get("status")).as(service + " " + fields).isNotEqualTo("erro");
        return reply;
    }

    private Map<String, Object> search(Map<String, Object> data) {
        ChatService.Handled handled = handle("search", data);
        assertThat(handled.reply()).as("a search is answered at once").isNotNull();
        return handled.reply().data();
    }

    private Map<String, Object> search(String user, String query) {
        return search(Map.of("user", user, "query", query));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(Map<String, Object> reply) {
        assertThat(reply).containsEntry("status", "OK");
        return (List<Map<String, Object>>) reply.get("results");
    }

    private static List<Object> messages(Map<String, Object> reply) {
        return results(reply).stream().map(r -> r.get("message")).toList();
    }

    private void world() {
        for (String user : List.of("ana", "bob", "carla")) {
            write("login", Map.of("user", user));
        }
        write("channel", Map.of("channel", "geral"));
        write("publish", Map.of("user", "ana", "channel", "geral", "message", "uma ação no canal"));
        write("post", Map.of("user", "bob", "message", "Ação! um post"));
        write("message", Map.of("src", "ana", "dst", "carla", "message", "ação secreta"));
    }

    @Test
    void findsChannelMessagesPostsAndOwnPrivateMessagesFoldingCaseAndAccents() {
        world();

        Map<String, Object> byAna = search("ana", "acao");
        assertThat(messages(byAna)).containsExactly("ação secreta", "Ação! um post", "uma ação no canal");
        assertThat(byAna).containsEntry("more", false).doesNotContainKey("next_cursor");
        assertThat(messages(search("carla", "AÇÃO"))).isEqualTo(messages(byAna));
        assertThat(messages(search("ana", "Acao canal"))).containsExactly("uma ação no canal");

        List<Map<String, Object>> hits = results(byAna);
        assertThat(hits.get(0))
                .containsEntry("kind", "private")
                .containsEntry("author", "ana")
                .containsEntry("src", "ana")
                .containsEntry("dst", "carla")
                .containsKeys("index", "timestamp");
        assertThat(hits.get(1)).containsEntry("kind", "post").containsEntry("author", "bob");
        assertThat(hits.get(1).get("post_id")).isEqualTo(hits.get(1).get("index") + "-0");
        assertThat(hits.get(2))
                .containsEntry("kind", "channel")
                .containsEntry("channel", "geral")
                .containsEntry("seq", 1L);
        assertThat((Long) hits.get(0).get("index"))
                .isGreaterThan((Long) hits.get(1).get("index"));
    }

    @Test
    void bobNeverSeesAnotherUsersPrivateMessage() {
        world();

        assertThat(messages(search("bob", "ação"))).containsExactly("Ação! um post", "uma ação no canal");
        assertThat(results(search(Map.of("user", "bob", "query", "secreta")))).isEmpty();
        assertThat(results(search(Map.of("user", "bob", "query", "secreta", "kind", "private"))))
                .isEmpty();
        assertThat(results(search(Map.of("user", "bob", "query", "secreta", "author", "ana"))))
                .isEmpty();
        assertThat(messages(search(Map.of("user", "carla", "query", "secreta", "kind", "private"))))
                .containsExactly("ação secreta");
    }

    @Test
    void filtersSortsAndPagesByCursor() {
        world();
        for (int i = 0; i < 5; i++) {
            write("post", Map.of("user", "ana", "message", "mar " + i));
        }

        Map<String, Object> first = search(Map.of("user", "bob", "query", "mar", "limit", 2L));
        assertThat(messages(first)).containsExactly("mar 4", "mar 3");
        assertThat(first).containsEntry("more", true).containsKey("next_cursor");
        List<Object> all = new ArrayList<>(messages(first));
        Map<String, Object> page = first;
        while (Boolean.TRUE.equals(page.get("more"))) {
            page = search(
                    Map.of("user", "bob", "query", "mar", "limit", 2L, "cursor", (String) page.get("next_cursor")));
            all.addAll(messages(page));
        }
        assertThat(all).containsExactly("mar 4", "mar 3", "mar 2", "mar 1", "mar 0");

        assertThat(messages(search(Map.of("user", "bob", "query", "acao", "kind", "channel"))))
                .containsExactly("uma ação no canal");
        assertThat(messages(search(Map.of("user", "bob", "query", "acao", "channel", "geral"))))
                .containsExactly("uma ação no canal");
        assertThat(messages(search(Map.of("user", "bob", "query", "acao", "author", "bob"))))
                .containsExactly("Ação! um post");
        List<Map<String, Object>> best = results(search(Map.of("user", "bob", "query", "ação", "sort", "best")));
        assertThat(best).allSatisfy(hit -> assertThat(hit).containsKey("points"));
        assertThat(results(search("bob", "acao")))
                .allSatisfy(hit -> assertThat(hit).doesNotContainKey("points"));
    }

    @Test
    void aSearchWithoutLimitGetsTheIndexDefaultPage() {
        write("login", Map.of("user", "ana"));
        for (int i = 0; i < SearchIndex.PAGE_SIZE_DEFAULT + 5; i++) {
            write("post", Map.of("user", "ana", "message", "onda " + i));
        }
        Map<String, Object> page = search("ana", "onda");
        assertThat(results(page)).hasSize(SearchIndex.PAGE_SIZE_DEFAULT);
        assertThat(page).containsEntry("more", true);
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndChangesNothing() {
        world();
        byte[] digest = machine.stateDigest();
        Map<String, Object> before = search("ana", "acao");
        String cursorOfAnotherSearch = (String)
                search(Map.of("user", "ana", "query", "ação", "limit", 1L)).get("next_cursor");

        record Bad(String field, Map<String, Object> request) {}
        List<Bad> bad = List.of(
                new Bad("query", Map.of("user", "ana", "query", "")),
                new Bad("query", Map.of("user", "ana")),
                new Bad("query", Map.of("user", "ana", "query", "x".repeat(SearchIndex.QUERY_CHARS_MAX + 1))),
                new Bad("query", Map.of("user", "ana", "query", "a b c d e f g h i j k l m n o p q")),
                new Bad("query", Map.of("user", "ana", "query", "...!?")),
                new Bad("cursor", Map.of("user", "ana", "query", "mar", "cursor", cursorOfAnotherSearch)),
                new Bad("cursor", Map.of("user", "ana", "query", "acao", "cursor", "'; DROP TABLE--")),
                new Bad("cursor", Map.of("user", "ana", "query", "acao", "cursor", "A".repeat(10_000))),
                new Bad("limit", Map.of("user", "ana", "query", "acao", "limit", 0L)),
                new Bad("limit", Map.of("user", "ana", "query", "acao", "limit", 101L)),
                new Bad("sort", Map.of("user", "ana", "query", "acao", "sort", "oldest")),
                new Bad("kind", Map.of("user", "ana", "query", "acao", "kind", "secret")),
                new Bad("user", Map.of("query", "acao")));

        for (Bad b : bad) {
            assertThat(search(b.request()))
                    .as("%s", b.request())
                    .containsEntry("status", "erro")
                    .extractingByKey("description")
                    .asString()
                    .contains("'" + b.field() + "'");
        }
        assertThat(machine.stateDigest()).isEqualTo(digest);
        assertThat(results(search("ana", "acao"))).isEqualTo(results(before));
    }

    @Test
    void aSearchWaitsForItsMinIndexLikeEveryRead() {
        world();
        ChatService.Handled handled =
                handle("search", Map.of("user", "ana", "query", "acao", "min_index", machine.appliedIndex() + 1));
        assertThat(handled.reply()).isNull();
        assertThat(handled.deferredRead().minIndex()).isEqualTo(machine.appliedIndex() + 1);
        write("post", Map.of("user", "ana", "message", "acao nova"));
        assertThat(messages(service.answerRead(handled.deferredRead()).reply().data()))
                .first()
                .isEqualTo("acao nova");
    }

    @Test
    void aRestartedServerRebuildsItsIndexFromTheStore() {
        world();
        Map<String, Object> before = search("carla", "acao");

        // a new process over the same store: its index starts empty, and is rebuilt before it serves
        machine = new ChatStateMachine(store, ChatConfig.DEFAULT);
        service = TestChatServices.of(machine);
        services.add(service);
        assertThat(results(search("carla", "acao"))).isEmpty();
        service.search().rebuild();

        assertThat(results(search("carla", "acao"))).isEqualTo(results(before)).hasSize(3);
        assertThat(messages(search("bob", "acao"))).containsExactly("Ação! um post", "uma ação no canal");
    }

    @Test
    void aCheckpointInstallIsIndexedByTheIndexerWhileSearchesAreRefusedThenWithWhatWasAppliedMeanwhile() {
        world();
        SearchService search = SearchService.indexedByHand(machine, 100);
        searches.add(search);
        search.rebuild();
        assertThat(messages(search.read(query("ana", "acao")).data())).hasSize(3);

        machine.importSnapshot(stateOfDora().exportSnapshot());
        search.stateReplaced();
        Map<String, Object> meanwhile = search.read(query("ana", "acao")).data();
        assertThat(meanwhile).containsEntry("status", "erro");
        assertThat(meanwhile.get("description").toString()).contains("rebuilding its search index");
        Result applied = machine.apply(Command.of(
                machine.appliedIndex() + 1, 9.0, 9, new ChatCommand.Post("dora", "outra ação, durante", "")));
        search.applied(machine.appliedIndex(), applied.publications());
        assertThat(search.rebuilding()).isTrue();

        while (search.indexBatch()) {}

        assertThat(search.rebuilding()).isFalse();
        assertThat(messages(search.read(query("ana", "acao")).data()))
                .as("the installed state, and what was applied during the rebuild, once")
                .containsExactly("outra ação, durante", "uma ação da dora");
        assertThat(search.rebuilds()).isEqualTo(2);
    }

    @Test
    void aSecondInstallAbandonsTheRebuildOfTheFirst() {
        world();
        SearchService search = SearchService.indexedByHand(machine, 100);
        searches.add(search);
        search.rebuild();

        search.stateReplaced(); // the state of the world, again
        machine.importSnapshot(stateOfDora().exportSnapshot());
        search.stateReplaced();
        while (search.indexBatch()) {}

        assertThat(messages(search.read(query("ana", "acao")).data())).containsExactly("uma ação da dora");
        assertThat(search.rebuilds()).isEqualTo(2);
    }

    @Test
    void aSearchIsRefusedUntilTheIndexerHasTheWritesAppliedBeforeIt() {
        world();
        SearchService search = SearchService.indexedByHand(machine, 100);
        searches.add(search);
        search.rebuild();
        Result applied = machine.apply(
                Command.of(machine.appliedIndex() + 1, 9.0, 9, new ChatCommand.Post("ana", "ação recente", "")));
        search.applied(machine.appliedIndex(), applied.publications());

        Map<String, Object> behind = search.read(query("ana", "recente")).data();
        assertThat(behind).containsEntry("status", "erro");
        assertThat(behind.get("description").toString()).contains("behind").contains("retry");

        assertThat(search.indexBatch()).isTrue();
        assertThat(messages(search.read(query("ana", "recente")).data())).containsExactly("ação recente");
    }

    @Test
    void aFullBacklogRebuildsFromTheStoreAndLosesNoMessage() {
        world();
        SearchService search = SearchService.indexedByHand(machine, 2);
        searches.add(search);
        search.rebuild();
        for (int i = 0; i < 4; i++) {
            Result applied = machine.apply(Command.of(
                    machine.appliedIndex() + 1, 9.0 + i, 9 + i, new ChatCommand.Post("bob", "ação " + i, "")));
            search.applied(machine.appliedIndex(), applied.publications());
        }
        assertThat(search.backlogOverflows()).isEqualTo(1);
        assertThat(search.read(query("ana", "acao")).data().get("description").toString())
                .contains("rebuilding its search index");

        while (search.indexBatch()) {}

        assertThat(messages(search.read(query("ana", "acao")).data()))
                .containsExactly(
                        "ação 3", "ação 2", "ação 1", "ação 0", "ação secreta", "Ação! um post", "uma ação no canal");
        assertThat(search.documentCount()).isEqualTo(7);
    }

    private static ChatStateMachine stateOfDora() {
        ChatStateMachine other = new ChatStateMachine(new InMemoryChatStore(), ChatConfig.DEFAULT);
        other.apply(Command.of(1, 1.0, 1, new ChatCommand.Login("dora")));
        other.apply(Command.of(2, 2.0, 2, new ChatCommand.Post("dora", "uma ação da dora", "")));
        return other;
    }

    private static Request.Search query(String user, String words) {
        return new Request.Search(RequestMeta.NONE, user, words, null, null, null, null, 20, null);
    }
}
