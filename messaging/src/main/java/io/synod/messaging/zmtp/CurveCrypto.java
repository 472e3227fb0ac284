package io.synod.messaging.zmtp;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.engines.Salsa20Engine;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.bouncycastle.util.Pack;

/**
 * NaCl's {@code crypto_box} and {@code crypto_secretbox} (Curve25519, XSalsa20, Poly1305), which CurveZMQ is built
 * on, composed from Bouncy Castle's primitives: X25519 for the key agreement, its Salsa20 core for HSalsa20 (the
 * key derivation that turns a shared point into a box key), XSalsa20 as the stream cipher and Poly1305 as the
 * one-time authenticator. Nothing cryptographic is computed here beyond wiring those together as NaCl specifies
 * ("Cryptography in NaCl", D. J. Bernstein, sections 7 to 9); the test vectors of that paper check the wiring.
 *
 * <p>A box here is NaCl's ciphertext without its 16 leading zero bytes: the 16-byte authenticator, then the
 * ciphertext, as CurveZMQ sends it.
 *
 * <p>Thread-safety: stateless; every call allocates its own engines.
 */
public final class CurveCrypto {
    /** Bytes of a public or a secret key. */
    public static final int KEY_BYTES = 32;
    /** Bytes of a nonce. */
    public static final int NONCE_BYTES = 24;
    /** Bytes a box adds to its plaintext (the authenticator). */
    public static final int BOX_OVERHEAD_BYTES = 16;

    private static final int HSALSA_INPUT_BYTES = 16;
    private static final int SALSA_ROUNDS = 20;
    private static final int STATE_WORDS = 16;
    private static final byte[] SIGMA = "expand 32-byte k".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private CurveCrypto() {}

    /** A Curve25519 key pair. */
    public record KeyPair(byte[] publicKey, byte[] secretKey) {
        public KeyPair {
            if (publicKey.length != KEY_BYTES || secretKey.length != KEY_BYTES) {
                throw new IllegalArgumentException("a CURVE key is " + KEY_BYTES + " bytes");
            }
            publicKey = publicKey.clone();
            secretKey = secretKey.clone();
        }

        @Override
        public byte[] publicKey() {
            return publicKey.clone();
        }

        @Override
        public byte[] secretKey() {
            return secretKey.clone();
        }

        /** The pair whose secret key is {@code secretKey}. */
        public static KeyPair of(byte[] secretKey) {
            return new KeyPair(publicKeyOf(secretKey), secretKey);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof KeyPair pair
                    && Arrays.equals(publicKey, pair.publicKey)
                    && Arrays.equals(secretKey, pair.secretKey);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(publicKey);
        }

        @Override
        public String toString() {
            return "KeyPair[public=" + Z85Keys.encode(publicKey) + ", secret=<hidden>]";
        }
    }

    /** A fresh key pair from {@code random}. */
    public static KeyPair generate(SecureRandom random) {
        byte[] secret = new byte[KEY_BYTES];
        X25519.generatePrivateKey(random, secret);
        return KeyPair.of(secret);
    }

    /** The public key of {@code secretKey} ({@code crypto_scalarmult_base}). */
    public static byte[] publicKeyOf(byte[] secretKey) {
        checkKey(secretKey);
        byte[] publicKey = new byte[KEY_BYTES];
        X25519.scalarMultBase(secretKey, 0, publicKey, 0);
        return publicKey;
    }

    /**
     * The key two parties share ({@code crypto_box_beforenm}): HSalsa20 of their X25519 agreement.
     *
     * @throws IllegalArgumentException if the agreement is all zeros (a public key of small order)
     */
    public static byte[] sharedKey(byte[] publicKey, byte[] secretKey) {
        checkKey(publicKey);
        checkKey(secretKey);
        byte[] point = new byte[KEY_BYTES];
        if (!X25519.calculateAgreement(secretKey, 0, publicKey, 0, point, 0)) {
            throw new IllegalArgumentException("a public key of small order");
        }
        return hsalsa20(point, new byte[HSALSA_INPUT_BYTES]);
    }

    /** {@code crypto_box}: seals {@code plaintext} for {@code publicKey} from {@code secretKey}. */
    public static byte[] box(byte[] plaintext, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        return seal(plaintext, nonce, sharedKey(publicKey, secretKey));
    }

    /** {@code crypto_box_open}: the plaintext, or null if {@code box} was not sealed by that pair with that nonce. */
    public static byte[] open(byte[] box, byte[] nonce, byte[] publicKey, byte[] secretKey) {
        return unseal(box, nonce, sharedKey(publicKey, secretKey));
    }

    /** {@code crypto_secretbox} (and {@code crypto_box_afternm}): authenticator, then ciphertext. */
    public static byte[] seal(byte[] plaintext, byte[] nonce, byte[] key) {
        XSalsa20Engine cipher = cipher(nonce, key);
        byte[] macKey = new byte[KEY_BYTES];
        cipher.processBytes(macKey, 0, KEY_BYTES, macKey, 0); // the first 32 bytes of key stream
        byte[] box = new byte[BOX_OVERHEAD_BYTES + plaintext.length];
        cipher.processBytes(plaintext, 0, plaintext.length, box, BOX_OVERHEAD_BYTES);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(macKey));
        mac.update(box, BOX_OVERHEAD_BYTES, plaintext.length);
        mac.doFinal(box, 0);
        Arrays.fill(macKey, (byte) 0);
        return box;
    }

    /** {@code crypto_secretbox_open}: the plaintext, or null if the authenticator does not match. */
    public static byte[] unseal(byte[] box, byte[] nonce, byte[] key) {
        if (box.length < BOX_OVERHEAD_BYTES) {
            return null;
        }
        XSalsa20Engine cipher = cipher(nonce, key);
        byte[] macKey = new byte[KEY_BYTES];
        cipher.processBytes(macKey, 0, KEY_BYTES, macKey, 0);
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(macKey));
        mac.update(box, BOX_OVERHEAD_BYTES, box.length - BOX_OVERHEAD_BYTES);
        byte[] expected = new byte[BOX_OVERHEAD_BYTES];
        mac.doFinal(expected, 0);
        Arrays.fill(macKey, (byte) 0);
        if (!MessageDigest.isEqual(expected, Arrays.copyOf(box, BOX_OVERHEAD_BYTES))) {
            return null;
        }
        byte[] plaintext = new byte[box.length - BOX_OVERHEAD_BYTES];
        cipher.processBytes(box, BOX_OVERHEAD_BYTES, plaintext.length, plaintext, 0);
        return plaintext;
    }

    private static XSalsa20Engine cipher(byte[] nonce, byte[] key) {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("a nonce is " + NONCE_BYTES + " bytes");
        }
        checkKey(key);
        XSalsa20Engine cipher = new XSalsa20Engine();
        cipher.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        return cipher;
    }

    /**
     * HSalsa20 (NaCl paper, section 8): the Salsa20 core's rounds over the constants, the key and the 16-byte input,
     * keeping words 0, 5, 10, 15, 6, 7, 8, 9 before the core's final addition of its input (which is undone here,
     * as Bouncy Castle's XSalsa20 does for its own subkey).
     */
    private static byte[] hsalsa20(byte[] key, byte[] input) {
        int[] state = new int[STATE_WORDS];
        state[0] = Pack.littleEndianToInt(SIGMA, 0);
        state[5] = Pack.littleEndianToInt(SIGMA, 4);
        state[10] = Pack.littleEndianToInt(SIGMA, 8);
        state[15] = Pack.littleEndianToInt(SIGMA, 12);
        for (int i = 0; i < 4; i++) {
            state[1 + i] = Pack.littleEndianToInt(key, 4 * i);
            state[11 + i] = Pack.littleEndianToInt(key, 16 + 4 * i);
            state[6 + i] = Pack.littleEndianToInt(input, 4 * i);
        }
        int[] out = new int[STATE_WORDS];
        Salsa20Engine.salsaCore(SALSA_ROUNDS, state, out);
        int[] words = {0, 5, 10, 15, 6, 7, 8, 9};
        byte[] derived = new byte[KEY_BYTES];
        for (int i = 0; i < words.length; i++) {
            Pack.intToLittleEndian(out[words[i]] - state[words[i]], derived, 4 * i);
        }
        return derived;
    }

    private static void checkKey(byte[] key) {
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a CURVE key is " + KEY_BYTES + " bytes");
        }
    }
}
