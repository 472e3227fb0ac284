package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The accounts extension's fields: {@code password} on login, {@code token} on any request, {@code logout}. */
class AccountsProtocolTest {
    private static Request parse(String service, Map<String, Object> data) {
        return Requests.parse(Envelope.decode(new Envelope(service, data).encode(), Limits.DEFAULT), Limits.DEFAULT);
    }

    @Test
    void loginCarriesAnOptionalPasswordAndAnyRequestAToken() {
        Request.Login plain = (Request.Login) parse("login", Map.of("user", "ana"));
        assertThat(plain.password()).isNull();
        assertThat(plain.meta().token()).isNull();
        Request.Login withPassword = (Request.Login) parse("login", Map.of("user", "ana", "password", "pw"));
        assertThat(withPassword.password()).isEqualTo("pw");
        Request publish = parse("publish", Map.of("user", "ana", "channel", "c", "message", "m", "token", "tk"));
        assertThat(publish.meta().token()).isEqualTo("tk");
        assertThat(parse("logout", Map.of("user", "ana", "token", "tk"))).isInstanceOf(Request.Logout.class);
        assertThat(publish.toEnvelope().data()).containsEntry("token", "tk");
    }

    @Test
    void badPasswordsAndTokensAreRefusedNamingTheField() {
        assertThatThrownBy(() -> parse("login", Map.of("user", "ana", "password", 7L)))
                .hasMessageContaining("'password'");
        assertThatThrownBy(() -> parse("login", Map.of("user", "ana", "password", "")))
                .hasMessageContaining("'password'");
        assertThatThrownBy(() -> parse("login", Map.of("user", "ana", "password", "x".repeat(257))))
                .hasMessageContaining("'password'");
        assertThatThrownBy(() -> parse("users", Map.of("token", "x".repeat(513))))
                .hasMessageContaining("'token'");
        assertThatThrownBy(() -> parse("logout", Map.of("token", "t"))).hasMessageContaining("'user'");
    }

    @Test
    void printedRequestsHideThePasswordAndTheToken() {
        Request.Login login =
                (Request.Login) parse("login", Map.of("user", "ana", "password", "hunter2", "token", "tk1"));
        assertThat(login.toString())
                .doesNotContain("hunter2")
                .doesNotContain("tk1")
                .contains("<hidden>");
    }
}
