package io.synod.server;

import io.synod.core.AccountReads;
import io.synod.core.ChatCommand;
import io.synod.protocol.ProtocolException;
import io.synod.protocol.Request;
import io.synod.protocol.Services;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * The server's half of accounts (the state machine's half is core's AccountRules): hashing passwords, checking them,
 * and making session tokens. All of it is slow or random, so it runs here, before a login is proposed, and the
 * command carries only the results (docs/decisions/0006-sessions.md).
 *
 * <p>Passwords: PBKDF2-HMAC-SHA256 from the JDK, {@link #PBKDF2_ITERATIONS} iterations, a 16-byte random salt, a
 * 32-byte hash, stored as {@code pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>}. Checking one runs on the event
 * loop: about 0.1 s per login with a password (measured in AccountsTest's log line; the cost is the point).
 *
 * <p>Tokens: 32 random bytes (base64url, 43 characters) from {@link SecureRandom}; the replicated state keeps only
 * their SHA-256 (hex), so a copy of a data directory or of the log gives no usable token. A token is fast to check:
 * it has 256 bits of entropy, so a plain hash is enough.
 *
 * <p>Thread-safety: not thread-safe (the event loop's).
 */
final class Accounts {
    /** PBKDF2 iterations: OWASP's 2023 figure for PBKDF2-HMAC-SHA256 is 600,000; this bounds a login's cost. */
    static final int PBKDF2_ITERATIONS = 210_000;
    /** How long a session lasts after its login (log time). */
    static final long SESSION_SECONDS_DEFAULT = 24 * 3_600;

    private static final String FORMAT = "pbkdf2-sha256";
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final int TOKEN_BYTES = 32;

    private final SecureRandom random = new SecureRandom();
    private final int iterations;
    private final long sessionSeconds;

    Accounts() {
        this(PBKDF2_ITERATIONS, SESSION_SECONDS_DEFAULT);
    }

    /** With a given cost and session length (tests use a low cost and short sessions). */
    Accounts(int iterations, long sessionSeconds) {
        this.iterations = iterations;
        this.sessionSeconds = sessionSeconds;
    }

    /** A login with a new session, for the stored hash {@code stored} (null: no password set yet). */
    record Login(ChatCommand.Login command, String token) {}

    /**
     * The command for {@code request} and its new token, or why it is refused: a user with a password must give it;
     * in secure mode ({@code secure}) a login must carry a password (a first one sets it).
     *
     * @throws ProtocolException naming field {@code password}, and nothing is proposed
     */
    Login login(Request.Login request, AccountReads reads, boolean secure, double nowSeconds) {
        String stored = reads.passwordHash(request.user());
        String password = request.password();
        if (password == null && secure) {
            throw new ProtocolException("missing field 'password': this server runs in secure mode");
        }
        String passwordHash = "";
        if (stored != null) {
            if (password == null || !matches(password, stored)) {
                throw new ProtocolException(
                        "field 'password': wrong or missing password for user '" + request.user() + "'");
            }
            passwordHash = stored;
        } else if (password != null) {
            passwordHash = hash(password);
        }
        String token = newToken();
        long expires = (long) Math.floor(nowSeconds) + sessionSeconds;
        return new Login(new ChatCommand.Login(request.user(), passwordHash, sessionOf(token), expires), token);
    }

    /** The stored form of {@code password} with a new salt. */
    String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        return FORMAT + "$" + iterations + "$" + b64.encodeToString(salt) + "$"
                + b64.encodeToString(pbkdf2(password, salt, iterations));
    }

    /** Whether {@code password} hashes to {@code stored} (in constant time over the hash). */
    static boolean matches(String password, String stored) {
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !FORMAT.equals(parts[0])) {
            return false;
        }
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] expected = b64.decode(parts[3]);
        return MessageDigest.isEqual(expected, pbkdf2(password, b64.decode(parts[2]), Integer.parseInt(parts[1])));
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has PBKDF2WithHmacSHA256", e);
        } finally {
            spec.clearPassword();
        }
    }

    /**
     * The session a write in secure mode is sent with: the hash of its {@code token}; the state machine checks, in log
     * order, that it is a live session of the write's author.
     *
     * @throws ProtocolException if the request carries no token
     */
    static String writeSession(Request request) {
        String token = request.meta().token();
        if (token == null) {
            throw new ProtocolException(
                    "missing field 'token': this server runs in secure mode; log in with a password");
        }
        return sessionOf(token);
    }

    /**
     * Secure mode: refuses a read of private data ({@code private_history}, {@code notifications}, {@code
     * conversations}, {@code search}, which includes the user's private messages) unless its token is a live session
     * of the data's owner, in this server's applied state (the client's {@code min_index} makes a fresh login visible).
     *
     * @throws ProtocolException naming field {@code token}
     */
    static void checkPrivateRead(Request request, AccountReads reads, double nowSeconds) {
        String owner = switch (request) {
            case Request.PrivateHistory r -> r.user();
            case Request.Search r -> r.user();
            case Request.SocialRead r
            when Services.NOTIFICATIONS.equals(r.service()) || Services.CONVERSATIONS.equals(r.service()) -> r.user();
            default -> null;
        };
        if (owner == null) {
            return;
        }
        String token = request.meta().token();
        if (token == null) {
            throw new ProtocolException(
                    "missing field 'token': '" + request.service() + "' of '" + owner + "' is private in secure mode");
        }
        String user = reads.sessionUser(sessionOf(token), nowSeconds);
        if (user == null) {
            throw new ProtocolException("field 'token': not a live session (unknown, expired or logged out)");
        }
        if (!user.equals(owner)) {
            throw new ProtocolException("field 'token': the session is '" + user + "''s; '" + request.service()
                    + "' of '" + owner + "' is private");
        }
    }

    private String newToken() {
        byte[] token = new byte[TOKEN_BYTES];
        random.nextBytes(token);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(token);
    }

    /** The session key of {@code token} in the replicated state: its SHA-256, hex. */
    static String sessionOf(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
