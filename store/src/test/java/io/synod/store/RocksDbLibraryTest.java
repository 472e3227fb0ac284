package io.synod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;

/** The copy of RocksDB's library in a directory of ours: written once, kept while intact, replaced when not. */
class RocksDbLibraryTest {
    private static final FileTime LONG_AGO = FileTime.fromMillis(1_000_000_000_000L);

    @TempDir
    Path directory;

    private static byte[] jarCopy() throws Exception {
        try (InputStream in = RocksDB.class.getClassLoader().getResourceAsStream(RocksDbLibrary.resourceName())) {
            assertThat(in).as("the platform's library in RocksDB's jar").isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void theFirstCallCopiesTheJarsLibraryAndLaterCallsKeepIt() throws Exception {
        Path file = RocksDbLibrary.extract(directory);
        assertThat(file).isEqualTo(directory.resolve(RocksDbLibrary.fileName()));
        assertThat(Files.readAllBytes(file)).isEqualTo(jarCopy());
        Files.setLastModifiedTime(file, LONG_AGO);

        assertThat(RocksDbLibrary.extract(directory)).isEqualTo(file);
        assertThat(Files.getLastModifiedTime(file))
                .as("an intact copy is not written again")
                .isEqualTo(LONG_AGO);
        try (var files = Files.list(directory)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void aDamagedCopyOfTheSameSizeIsReplaced() throws Exception {
        Path file = RocksDbLibrary.extract(directory);
        byte[] damaged = Files.readAllBytes(file);
        damaged[damaged.length / 2] ^= 0x5a;
        Files.write(file, damaged);
        Files.setLastModifiedTime(file, LONG_AGO);

        RocksDbLibrary.extract(directory);

        assertThat(Arrays.equals(Files.readAllBytes(file), jarCopy())).isTrue();
        assertThat(Files.getLastModifiedTime(file)).isNotEqualTo(LONG_AGO);
    }

    @Test
    void aTruncatedCopyIsReplaced() throws Exception {
        Path file = directory.resolve(RocksDbLibrary.fileName());
        Files.write(file, new byte[] {0x7f, 'E', 'L', 'F'});

        RocksDbLibrary.extract(directory);

        assertThat(Arrays.equals(Files.readAllBytes(file), jarCopy())).isTrue();
    }

    @Test
    void halfWrittenCopiesOfDeadProcessesAreRemovedAndLiveOnesKept() throws Exception {
        Process finished = new ProcessBuilder("true").start();
        assertThat(finished.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Path dead = directory.resolve(RocksDbLibrary.fileName() + ".partial-" + finished.pid());
        long livePid = ProcessHandle.current().parent().orElseThrow().pid();
        Path live = directory.resolve(RocksDbLibrary.fileName() + ".partial-" + livePid);
        Files.write(dead, new byte[] {1});
        Files.write(live, new byte[] {2});

        RocksDbLibrary.extract(directory);

        assertThat(dead).doesNotExist();
        assertThat(live).as("another process may still be writing it").exists();
    }
}
