package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EndpointListTest {
    @Test
    void oneEndpointIsAListOfOneAndSeveralAreSplitAtCommas() {
        assertThat(EndpointList.parse("tcp://127.0.0.1:5555", "--broker")).containsExactly("tcp://127.0.0.1:5555");
        assertThat(EndpointList.parse("tcp://a:1, tcp://b:2", "--broker")).containsExactly("tcp://a:1", "tcp://b:2");
        assertThat(EndpointList.join(List.of("tcp://a:1", "tcp://b:2"))).isEqualTo("tcp://a:1,tcp://b:2");
    }

    @Test
    void emptyRepeatedOrTooManyEndpointsAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> EndpointList.parse("tcp://a:1,", "--proxy"))
                .hasMessageContaining("--proxy")
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> EndpointList.parse("", "--proxy")).hasMessageContaining("--proxy");
        assertThatThrownBy(() -> EndpointList.parse("tcp://a:1,tcp://a:1", "--broker"))
                .hasMessageContaining("--broker")
                .hasMessageContaining("twice");
        String tooMany = String.join(
                ",",
                IntStream.rangeClosed(0, EndpointList.ENDPOINTS_MAX)
                        .mapToObj(i -> "tcp://h:" + (1000 + i))
                        .toList());
        assertThatThrownBy(() -> EndpointList.parse(tooMany, "--broker")).hasMessageContaining("at most");
    }
}
