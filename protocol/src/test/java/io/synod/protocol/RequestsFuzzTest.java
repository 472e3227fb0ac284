package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Coverage-guided fuzzing of every request parser: {@link Requests#parse} over every service name of {@link
 * Services}. An input is one byte choosing the service, then a MessagePack map: the data, as the wire decodes it.
 * Seeds ({@code RequestsFuzzTestInputs/parse}): a valid request of each service. How CI and {@code scripts/fuzz.sh}
 * run it: ARCHITECTURE.md, test kit.
 */
class RequestsFuzzTest {
    /** Every service name the protocol declares, found by reflection so that a new one is fuzzed too. */
    private static final List<String> SERVICES = serviceNames();

    /**
     * A request either parses into a record that survives its own round trip through the wire, or is refused with
     * a {@link ProtocolException} naming the field (or the service) at fault.
     */
    @FuzzTest(maxDuration = "10s", maxExecutions = 250_000)
    void parse(byte[] input) {
        if (input.length < 2) {
            return;
        }
        String service = SERVICES.get((input[0] & 0xFF) % SERVICES.size());
        Object decoded;
        try {
            decoded = MsgPack.decode(Arrays.copyOfRange(input, 1, input.length), Limits.DEFAULT);
        } catch (ProtocolException refused) {
            return; // the envelope fuzz test covers the decoder
        }
        if (!(decoded instanceof Map<?, ?> map)) {
            return;
        }
        @SuppressWarnings("unchecked")
        Envelope envelope = new Envelope(service, (Map<String, Object>) map);
        Request request;
        try {
            request = Requests.parse(envelope, Limits.DEFAULT);
        } catch (ProtocolException refused) {
            assertThat(refused.getMessage()).containsAnyOf("field '", "unknown service '");
            return;
        }
        assertThat(request.service()).isEqualTo(service);
        Envelope again = Envelope.decode(request.toEnvelope().encode(), Limits.DEFAULT);
        // the wire form round-trips; an unreadable timestamp was replaced, so it is not sent again (the flag
        // that says so is about the first reading only)
        assertThat(Requests.parse(again, Limits.DEFAULT).toEnvelope()).isEqualTo(request.toEnvelope());
        if (request.meta().timestampReplaced()) {
            assertThat(again.data()).doesNotContainKey("timestamp");
        }
    }

    private static List<String> serviceNames() {
        List<String> names = new ArrayList<>();
        for (Field field : Services.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                try {
                    names.add((String) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        names.sort(null); // a fixed order, so that a seed always names the same service
        return List.copyOf(names);
    }
}
