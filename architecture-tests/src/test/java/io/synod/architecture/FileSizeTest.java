package io.synod.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.synod.architecture.FileSizeGuard.Exemption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The file-size guard over the repository's main sources, and each of its rules on made-up counts. */
class FileSizeTest {
    private static final String BIG = "server/src/main/java/io/synod/server/Big.java";

    @Test
    void everyMainSourceFileIsWithinTheLimitOrExemptedAndTheListIsCurrent() throws IOException {
        String rootProperty = System.getProperty("synod.root");
        assertThat(rootProperty)
                .as("system property synod.root (set by the pom)")
                .isNotNull();
        Path root = Path.of(rootProperty).toRealPath();
        Map<String, Integer> counts = FileSizeGuard.mainSourceLineCounts(root);
        assertThat(counts)
                .as("main sources found under %s", root)
                .containsKey("protocol/src/main/java/io/synod/protocol/Requests.java");
        List<Exemption> exemptions =
                FileSizeGuard.parse(Files.readAllLines(root.resolve("config/file-size-exemptions.txt")));

        assertThat(FileSizeGuard.problems(counts, exemptions))
                .as("config/file-size-exemptions.txt against the main sources")
                .isEmpty();
    }

    @Test
    void aBigFileNotOnTheListFails() {
        assertThat(FileSizeGuard.problems(Map.of(BIG, 501, "a/src/main/Small.java", 500), List.of()))
                .singleElement()
                .asString()
                .startsWith(BIG + " has 501 lines, over the limit of 500");
    }

    @Test
    void aListedFileMayShrinkWhileStillOverTheLimit() {
        assertThat(FileSizeGuard.problems(Map.of(BIG, 700), List.of(new Exemption(BIG, 800, "why"))))
                .isEmpty();
        assertThat(FileSizeGuard.problems(Map.of(BIG, 800), List.of(new Exemption(BIG, 800, "why"))))
                .isEmpty();
    }

    @Test
    void aListedFileThatGrewFails() {
        assertThat(FileSizeGuard.problems(Map.of(BIG, 801), List.of(new Exemption(BIG, 800, "why"))))
                .containsExactly(BIG + " grew to 801 lines, past the 800 its exemption allows: split it instead");
    }

    @Test
    void aListedFileWithinTheLimitFailsUntilItsLineIsDeleted() {
        assertThat(FileSizeGuard.problems(Map.of(BIG, 500), List.of(new Exemption(BIG, 800, "why"))))
                .containsExactly(BIG + " has 500 lines, within the limit of 500: delete its exemption");
    }

    @Test
    void aListedFileThatIsGoneFails() {
        assertThat(FileSizeGuard.problems(Map.of(), List.of(new Exemption(BIG, 800, "why"))))
                .containsExactly(BIG + " is exempted but no longer exists: delete its line");
    }

    @Test
    void theListReadsPathCountAndReasonAndSkipsComments() {
        assertThat(FileSizeGuard.parse(List.of("# comment", "", "  " + BIG + "   812  eight jobs; split by job  ")))
                .containsExactly(new Exemption(BIG, 812, "eight jobs; split by job"));
    }

    @Test
    void aLineWithoutACountOrAReasonOrListedTwiceIsRefused() {
        assertThatThrownBy(() -> FileSizeGuard.parse(List.of(BIG + " 812")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exemption line 1");
        assertThatThrownBy(() -> FileSizeGuard.parse(List.of(BIG + " many reasons")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exemption line 1");
        assertThatThrownBy(() -> FileSizeGuard.parse(List.of(BIG + " 812 a", "# c", BIG + " 812 b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exemption line 3")
                .hasMessageContaining("listed twice");
    }
}
