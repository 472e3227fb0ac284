package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code search} request: types checked here, the index's rules left to the server (docs/protocol.md). */
class SearchProtocolTest {
    private static final Limits LIMITS = Limits.DEFAULT;

    private static Request parse(Map<String, Object> data) {
        return Requests.parse(Envelope.decode(new Envelope(Services.SEARCH, data).encode(), LIMITS), LIMITS);
    }

    @Test
    void parsesEveryFieldAndRoundTrips() {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("user", "ana");
        all.put("query", "ação");
        all.put("sort", "best");
        all.put("kind", "post");
        all.put("channel", "geral");
        all.put("author", "bob");
        all.put("limit", 5L);
        all.put("cursor", "MS5uLjAuMTAyNS5hYmM");
        List<Request> requests = List.of(parse(all), parse(Map.of("user", "ana", "query", "mar")));

        assertThat(requests.get(0))
                .isEqualTo(new Request.Search(
                        RequestMeta.NONE, "ana", "ação", "best", "post", "geral", "bob", 5, "MS5uLjAuMTAyNS5hYmM"));
        assertThat(requests.get(1))
                .as("absent fields are null, the page size the social reads' default")
                .isEqualTo(new Request.Search(
                        RequestMeta.NONE, "ana", "mar", null, null, null, null, Social.PAGE_ITEMS_DEFAULT, null));
        for (Request r : requests) {
            assertThat(Requests.parse(Envelope.decode(r.toEnvelope().encode(), LIMITS), LIMITS))
                    .isEqualTo(r);
            assertThat(Services.READS).contains(r.service());
        }
    }

    @Test
    void leavesTheIndexRulesToTheIndexButKeepsWhatWasSent() {
        Request.Search empty = (Request.Search) parse(Map.of("user", "ana", "query", "", "sort", "", "limit", 0L));
        assertThat(empty.query()).isEmpty();
        assertThat(empty.sort()).isEmpty();
        assertThat(empty.limit()).isZero();
        Request.Search missing = (Request.Search) parse(Map.of("user", "ana"));
        assertThat(missing.query()).isNull();
        Request.Search huge = (Request.Search) parse(Map.of("user", "ana", "query", "mar", "limit", Long.MAX_VALUE));
        assertThat(huge.limit()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void refusesWrongTypesNamingTheField() {
        assertRefused(Map.of("query", "mar"), "'user'");
        assertRefused(Map.of("user", "ana", "query", 3L), "'query'");
        assertRefused(Map.of("user", "ana", "query", "mar", "limit", "10"), "'limit'");
        assertRefused(Map.of("user", "ana", "query", "mar", "cursor", 1L), "'cursor'");
        assertRefused(Map.of("user", "ana", "query", "mar", "sort", true), "'sort'");
        assertRefused(Map.of("user", "ana", "query", "mar", "channel", ""), "'channel'");
        assertRefused(Map.of("user", "ana", "query", "mar", "author", " bob"), "'author'");
        assertRefused(Map.of("user", "ana", "query", "mar\u0000"), "'query'");
    }

    private static void assertRefused(Map<String, Object> data, String field) {
        assertThatThrownBy(() -> parse(data))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(field);
    }
}
