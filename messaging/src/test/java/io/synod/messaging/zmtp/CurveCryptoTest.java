package io.synod.messaging.zmtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NaCl's box composed from Bouncy Castle, Z85 keys and the certificate files, against published vectors. */
class CurveCryptoTest {
    private static final HexFormat HEX = HexFormat.of();
    /** Alice's secret and Bob's public key of RFC 7748 section 6.1, which NaCl's own tests use too. */
    private static final byte[] ALICE_SECRET =
            HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");

    private static final byte[] ALICE_PUBLIC =
            HEX.parseHex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    private static final byte[] BOB_PUBLIC =
            HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");

    @Test
    void theSharedKeyIsNaclsBeforenmOfTheRfcKeys() {
        assertThat(CurveCrypto.publicKeyOf(ALICE_SECRET)).isEqualTo(ALICE_PUBLIC);
        // "firstkey" of NaCl's tests: HSalsa20 of the X25519 agreement 4a5d9d5b...1742 with a zero input
        assertThat(HEX.formatHex(CurveCrypto.sharedKey(BOB_PUBLIC, ALICE_SECRET)))
                .isEqualTo("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    }

    @Test
    void aBoxOpensOnlyWithItsKeysNonceAndBytes() {
        SecureRandom random = new SecureRandom();
        CurveCrypto.KeyPair alice = CurveCrypto.generate(random);
        CurveCrypto.KeyPair bob = CurveCrypto.generate(random);
        byte[] nonce = new byte[CurveCrypto.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] plain = "a private message".getBytes(StandardCharsets.UTF_8);
        byte[] box = CurveCrypto.box(plain, nonce, bob.publicKey(), alice.secretKey());
        assertThat(box).hasSize(plain.length + CurveCrypto.BOX_OVERHEAD_BYTES);
        assertThat(CurveCrypto.open(box, nonce, alice.publicKey(), bob.secretKey()))
                .isEqualTo(plain);

        byte[] tampered = box.clone();
        tampered[tampered.length - 1] ^= 1;
        assertThat(CurveCrypto.open(tampered, nonce, alice.publicKey(), bob.secretKey()))
                .isNull();
        byte[] otherNonce = nonce.clone();
        otherNonce[0] ^= 1;
        assertThat(CurveCrypto.open(box, otherNonce, alice.publicKey(), bob.secretKey()))
                .isNull();
        CurveCrypto.KeyPair eve = CurveCrypto.generate(random);
        assertThat(CurveCrypto.open(box, nonce, alice.publicKey(), eve.secretKey()))
                .isNull();
        assertThat(CurveCrypto.unseal(new byte[3], nonce, new byte[32])).isNull();
    }

    @Test
    void aPublicKeyOfSmallOrderIsRefused() {
        assertThatThrownBy(() -> CurveCrypto.sharedKey(new byte[32], ALICE_SECRET))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("small order");
    }

    @Test
    void z85KeysOfZeroMqsManualDecodeToAMatchingPair() {
        // the client certificate of the zmq_curve(7) manual page
        byte[] publicKey = Z85Keys.decode("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
        byte[] secretKey = Z85Keys.decode("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs");
        assertThat(CurveCrypto.publicKeyOf(secretKey)).isEqualTo(publicKey);
        assertThat(Z85Keys.encode(publicKey)).isEqualTo("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
        assertThatThrownBy(() -> Z85Keys.decode("too short")).hasMessageContaining("40 characters");
        assertThatThrownBy(() -> Z85Keys.decode("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hI\""))
                .hasMessageContaining("not a Z85 character");
    }

    @Test
    void certificateFilesRoundTripTheSecretOneIsOwnerOnlyAndNeverOverwritten(@TempDir Path directory) throws Exception {
        CurveCrypto.KeyPair pair = CurveCrypto.generate(new SecureRandom());
        Z85Keys.write(directory, "server", pair);
        Path secret = directory.resolve("server.key_secret");
        Path publicFile = directory.resolve("server.key");
        assertThat(Z85Keys.readPair(secret)).isEqualTo(pair);
        assertThat(Z85Keys.readPublic(publicFile)).isEqualTo(pair.publicKey());
        assertThat(Z85Keys.readPublic(secret)).isEqualTo(pair.publicKey());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(publicFile)).doesNotContain("secret-key");
        assertThat(pair.toString()).doesNotContain(Z85Keys.encode(pair.secretKey()));
        assertThatThrownBy(() -> Z85Keys.write(directory, "server", pair))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("exists already");
        assertThat(Z85Keys.readPair(secret)).isEqualTo(pair);

        assertThatThrownBy(() -> Z85Keys.readPair(publicFile)).hasMessageContaining("no secret-key");
        Path mismatched = directory.resolve("mismatched.key_secret");
        Files.writeString(
                mismatched,
                "curve\n    public-key = \""
                        + Z85Keys.encode(
                                CurveCrypto.generate(new SecureRandom()).publicKey()) + "\"\n    secret-key = \""
                        + Z85Keys.encode(pair.secretKey()) + "\"\n");
        assertThatThrownBy(() -> Z85Keys.readPair(mismatched)).hasMessageContaining("not the public key");
        assertThatThrownBy(() -> Z85Keys.readPair(directory.resolve("absent"))).hasMessageContaining("cannot read");
    }
}
