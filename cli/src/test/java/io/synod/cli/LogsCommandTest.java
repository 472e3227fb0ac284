package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.synod.messaging.InteractionLog;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code synod logs} merges the files the processes' interaction logs wrote, whatever their data held. */
class LogsCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE =
            "\"quoted\" \\ back\u0000\u0001\u001f\n\r\t\u2028\u2029 \u00e9\u4e2d \ud83d\ude00 /";

    @Test
    void mergesLogsInClockOrderWithTheirDataIntact(@TempDir Path dir) throws Exception {
        try (InteractionLog a = InteractionLog.open(dir.resolve("a.jsonl"), "server-a");
                InteractionLog b = InteractionLog.open(dir.resolve("sub").resolve("b.jsonl"), "server-b")) {
            for (int clock = 1; clock <= 20; clock++) {
                Map<String, Object> data = new LinkedHashMap<>();
                data.put("message", HOSTILE + clock);
                data.put("timestamp", 1.7e9 + clock / 7.0);
                data.put("odd", Double.NaN);
                data.put("nested", Map.of("list", List.of(clock, true, "x")));
                data.put("password", "never-shown");
                if (clock % 2 == 0) {
                    a.received("publish", "client \"" + clock + "\"", clock, 1.7e9 + clock, data);
                } else {
                    b.sent("publish", "peer", clock, 1.7e9 + clock, data);
                }
            }
            a.event("tie", 5, 2.0, Map.of("user", "ana"));
            b.event("tie", 5, 1.0, Map.of("user", "bob"));
        }

        Result json = run(dir.toString(), "--json");
        assertThat(json.exit).isZero();
        assertThat(json.err).doesNotContain("unreadable");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : json.out.split("\n")) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).hasSize(22);
        for (int i = 1; i < lines.size(); i++) {
            JsonNode before = lines.get(i - 1);
            JsonNode after = lines.get(i);
            assertThat(before.get("clock").asLong())
                    .isLessThanOrEqualTo(after.get("clock").asLong());
        }
        List<String> tie = lines.stream()
                .filter(n -> n.get("kind").asText().equals("tie"))
                .map(n -> n.get("process").asText())
                .toList();
        assertThat(tie).containsExactly("server-a", "server-b"); // same clock: by process name
        JsonNode first = lines.get(0);
        assertThat(first.get("clock").asLong()).isEqualTo(1);
        assertThat(first.get("data").get("message").asText()).isEqualTo(HOSTILE + 1);
        assertThat(first.get("data").get("timestamp").asDouble()).isEqualTo(1.7e9 + 1 / 7.0);
        assertThat(first.get("data").get("odd").asText()).isEqualTo("NaN");
        assertThat(first.get("data").get("password").asText()).isEqualTo("<hidden>");
        assertThat(first.get("data").get("nested").get("list").get(1).asBoolean())
                .isTrue();
        assertThat(lines.get(1).get("peer").asText()).isEqualTo("client \"2\"");

        Result text = run(dir.toString(), "--user", "bob");
        assertThat(text.exit).isZero();
        String[] shown = text.out.strip().split("\n");
        assertThat(shown).hasSize(1);
        assertThat(shown[0]).contains("server-b", "tie");
    }

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int exit = new CommandLine(new LogsCommand()).execute(args);
            return new Result(
                    exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
