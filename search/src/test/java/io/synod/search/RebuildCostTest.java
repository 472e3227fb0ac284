package io.synod.search;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.search.SearchDocument.ChannelMessage;
import io.synod.search.SearchDocument.Post;
import io.synod.search.SearchDocument.PrivateMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Iterator;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cost of a rebuild of {@link #DOCUMENTS} documents of chat-like text, printed (a measurement, not a check:
 * nothing here asserts a time). Every build runs 20,000; docs/search.md's figures come from
 * {@code ./mvnw -B -ntp -o -pl search -am test -Dtest=RebuildCostTest -Dsearch.measure.documents=100000
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class RebuildCostTest {
    private static final int DOCUMENTS = Integer.getInteger("search.measure.documents", 20_000);
    private static final String[] VOCABULARY =
            ("ação coração pão café você árvore sol mar casa chat news hello world são paulo rio "
                            + "amanhã reunião projeto código servidor cliente mensagem canal grupo hoje ontem bom dia "
                            + "obrigado please thanks meeting deploy build test release bug fix review merge lunch")
                    .split(" ");
    private static final int SEARCHES = 100;

    @Test
    void rebuildOfManyDocumentsIsMeasured() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        try (SearchIndex index = SearchIndex.inMemory()) {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            index.rebuild(documents(DOCUMENTS, new Random(7)));
            long rebuilt = System.nanoTime();
            long cpuRebuilt = threads.getCurrentThreadCpuTime();
            int found = index.search(SearchQuery.of("ana", "acao")).hits().size();
            long newest = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < SEARCHES; i++) {
                index.search(SearchQuery.of("u" + i, "servidor cliente"));
            }
            long best = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < SEARCHES; i++) {
                index.search(SearchQuery.of("u" + i, "servidor cliente").withSort(SearchSort.BEST));
            }
            long end = threads.getCurrentThreadCpuTime();
            long added = 0;
            for (int i = 0; i < SEARCHES; i++) {
                index.add(new Post(1024L * (DOCUMENTS + 1 + i), i + "-0", "ana", "nova ação " + i, i));
                index.search(SearchQuery.of("ana", "acao"));
            }
            added = threads.getCurrentThreadCpuTime() - end;
            System.gc();
            long heapAfter = memory.getHeapMemoryUsage().getUsed();

            System.out.printf(
                    "search index: %,d documents rebuilt in %d ms (%d ms CPU on the calling thread); index files"
                            + " %,d KiB, heap held about %,d KiB; CPU per two-word search matching ~7%% of the"
                            + " documents: newest %.2f ms, best %.2f ms; add + refresh + search %.2f ms%n",
                    DOCUMENTS,
                    (rebuilt - start) / 1_000_000,
                    (cpuRebuilt - cpuStart) / 1_000_000,
                    index.indexBytes() / 1024,
                    (heapAfter - heapBefore) / 1024,
                    (best - newest) / 1e6 / SEARCHES,
                    (end - best) / 1e6 / SEARCHES,
                    added / 1e6 / SEARCHES);
            assertThat(index.documentCount()).isEqualTo(DOCUMENTS + SEARCHES);
            assertThat(found).isEqualTo(SearchIndex.PAGE_SIZE_DEFAULT);
        }
    }

    /** Channel messages, posts and private messages of 5 to 24 words, streamed as a store scan would be. */
    private static Iterator<SearchDocument> documents(int count, Random random) {
        return new Iterator<>() {
            private int made;

            @Override
            public boolean hasNext() {
                return made < count;
            }

            @Override
            public SearchDocument next() {
                made++;
                long index = 1024L * made;
                StringBuilder text = new StringBuilder();
                for (int words = 5 + random.nextInt(20); words > 0; words--) {
                    text.append(VOCABULARY[random.nextInt(VOCABULARY.length)]).append(' ');
                }
                String author = "u" + random.nextInt(1000);
                return switch (made % 3) {
                    case 0 -> new ChannelMessage(index, "c" + random.nextInt(50), made, author, text.toString(), made);
                    case 1 -> new Post(index, made + "-0", author, text.toString(), made);
                    default -> new PrivateMessage(index, author, "u" + random.nextInt(1000), text.toString(), made);
                };
            }
        };
    }
}
