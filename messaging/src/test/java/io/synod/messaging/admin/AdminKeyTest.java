package io.synod.messaging.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The admin key file, the gate over it and the admin options. */
class AdminKeyTest {
    @TempDir
    Path dir;

    @Test
    void aKeyFileIsItsTrimmedContent() throws Exception {
        Path file = dir.resolve("admin.key");
        Files.writeString(file, "  the-admin-secret-0123\n\n");
        AdminKey key = AdminKey.load(file);
        assertThat(key.matches("the-admin-secret-0123")).isTrue();
        assertThat(key.matches("the-admin-secret-0124")).isFalse();
        assertThat(key.matches("the-admin-secret-012")).isFalse();
        assertThat(key.matches(null)).isFalse();
        assertThat(key.toString()).doesNotContain("secret");
    }

    @Test
    void unreadableShortOrHugeKeyFilesAreRefusedNamingTheFile() throws Exception {
        assertThatThrownBy(() -> AdminKey.load(dir.resolve("missing")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--admin-key")
                .hasMessageContaining("missing");
        Path shortKey = Files.writeString(dir.resolve("short"), "tooshort\n");
        assertThatThrownBy(() -> AdminKey.load(shortKey))
                .hasMessageContaining("short")
                .hasMessageContaining("at least " + AdminKey.SECRET_CHARS_MIN);
        Path huge = Files.writeString(dir.resolve("huge"), "x".repeat(AdminKey.FILE_BYTES_MAX + 1));
        assertThatThrownBy(() -> AdminKey.load(huge)).hasMessageContaining("larger than");
    }

    @Test
    void generateWritesAnOwnerOnlyRandomKeyOnceAndKeepsIt() throws Exception {
        Path file = dir.resolve("data/admin.key");
        AdminKey first = AdminKey.generateIfAbsent(file);
        String secret = Files.readString(file).strip();
        assertThat(secret).hasSize(2 * AdminKey.GENERATED_BYTES).matches("[0-9a-f]+");
        assertThat(first.matches(secret)).isTrue();
        assertThat(Files.getPosixFilePermissions(file))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        AdminKey again = AdminKey.generateIfAbsent(file);
        assertThat(Files.readString(file).strip()).isEqualTo(secret);
        assertThat(again.matches(secret)).isTrue();
        assertThat(AdminKey.generateIfAbsent(dir.resolve("other.key")).matches(secret))
                .isFalse();
    }

    @Test
    void theGateIsOpenOnlyInCompatModeWithoutAKey() {
        AdminKey key = AdminKey.of("the-admin-secret-0123");
        assertThat(AdminGate.of(false, null).refusal(null)).isNull();
        assertThat(AdminGate.of(true, null).refusal("the-admin-secret-0123")).contains("disabled");
        assertThat(AdminGate.of(true, key).refusal(null)).contains("required");
        assertThat(AdminGate.of(true, key).refusal("nope")).isEqualTo("wrong admin key");
        assertThat(AdminGate.of(true, key).refusal("the-admin-secret-0123")).isNull();
        assertThat(AdminGate.of(false, key).refusal(null))
                .as("a key given is a key required")
                .contains("required");
    }

    @CommandLine.Command(name = "p")
    static final class Process {
        @CommandLine.Mixin
        AdminOptions admin = new AdminOptions();
    }

    private static AdminOptions parse(String... args) {
        Process process = new Process();
        new CommandLine(process).parseArgs(args);
        return process.admin;
    }

    @Test
    void adminOptionsBindLoopbackByDefaultAndTakeEitherForm() {
        assertThat(parse().address()).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        assertThat(parse("--admin-port", "8081").address()).isEqualTo(new InetSocketAddress("127.0.0.1", 8081));
        assertThat(parse("--admin-host", "0.0.0.0", "--admin-port", "8081").address())
                .isEqualTo(new InetSocketAddress("0.0.0.0", 8081));
        assertThat(parse("--admin-bind", "0.0.0.0:9090").address()).isEqualTo(new InetSocketAddress("0.0.0.0", 9090));
        assertThat(parse("--admin-bind", "[::1]:9090").address().getPort()).isEqualTo(9090);
    }

    @Test
    void malformedAdminOptionsNameTheOption() {
        assertThatThrownBy(() -> parse("--admin-bind", "0.0.0.0").address()).hasMessageContaining("--admin-bind");
        assertThatThrownBy(() -> parse("--admin-bind", "h:99999").address()).hasMessageContaining("--admin-bind");
        assertThatThrownBy(() -> parse("--admin-bind", "h:x").address()).hasMessageContaining("--admin-bind");
        assertThatThrownBy(() -> parse("--admin-port", "70000").address()).hasMessageContaining("--admin-port");
        assertThatThrownBy(() -> parse("--admin-bind", "127.0.0.1:1", "--admin-port", "2")
                        .address())
                .hasMessageContaining("not both");
        assertThatThrownBy(() -> parse("--admin-host", "no-such-host.invalid").address())
                .hasMessageContaining("cannot resolve");
    }
}
