package io.synod.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReadCacheTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aReadValueAndAnAbsentKeyAreServedFromTheCacheAfterwards() {
        ReadCache cache = new ReadCache();
        assertThat(cache.get(b("k")).cached()).isFalse();
        cache.put(b("k"), b("v"), cache.generation());
        cache.put(b("gone"), null, cache.generation());

        assertThat(cache.get(b("k")).value()).isEqualTo(b("v"));
        assertThat(cache.get(b("gone")).cached()).isTrue();
        assertThat(cache.get(b("gone")).value()).isNull();
        assertThat(cache.stats().hits()).isEqualTo(3);
        assertThat(cache.stats().misses()).isEqualTo(1);
        assertThat(cache.stats().entries()).isEqualTo(2);
    }

    @Test
    void theCachedKeyIsACopyOfTheCallersArray() {
        ReadCache cache = new ReadCache();
        byte[] key = b("k");
        cache.put(key, b("v"), cache.generation());
        key[0] = 'x';
        assertThat(cache.get(b("k")).value()).isEqualTo(b("v"));
        assertThat(cache.get(b("x")).cached()).isFalse();
    }

    @Test
    void aWriteUpdatesACachedKeyAndDoesNotBringInAnUncachedOne() {
        ReadCache cache = new ReadCache();
        cache.put(b("k"), b("v1"), cache.generation());
        cache.put(b("absent"), null, cache.generation());

        cache.written(b("k"), b("v2"));
        cache.written(b("absent"), b("now"));
        cache.written(b("post"), b("p"));

        assertThat(cache.get(b("k")).value()).isEqualTo(b("v2"));
        assertThat(cache.get(b("absent")).value()).isEqualTo(b("now"));
        assertThat(cache.get(b("post")).cached()).isFalse();

        cache.written(b("k"), null);
        assertThat(cache.get(b("k")).cached()).isTrue();
        assertThat(cache.get(b("k")).value()).isNull();
    }

    @Test
    void aValueReadBeforeAWriteOrAClearIsNotCached() {
        ReadCache cache = new ReadCache();
        long before = cache.generation();
        cache.written(b("other"), b("x"));
        cache.put(b("k"), b("old"), before);
        assertThat(cache.get(b("k")).cached())
                .as("any write may have changed what was read")
                .isFalse();

        cache.put(b("k"), b("v"), cache.generation());
        long beforeClear = cache.generation();
        cache.clear();
        assertThat(cache.get(b("k")).cached()).isFalse();
        cache.put(b("k"), b("old"), beforeClear);
        assertThat(cache.get(b("k")).cached()).isFalse();
        assertThat(cache.stats().entries()).isZero();
        assertThat(cache.stats().bytes()).isZero();
    }

    @Test
    void theLeastRecentlyUsedEntriesLeaveBeyondTheByteLimit() {
        int entryBytes = 1 + 10 + ReadCache.ENTRY_OVERHEAD_BYTES;
        ReadCache cache = new ReadCache(3L * entryBytes);
        byte[] value = new byte[10];
        cache.put(b("a"), value, cache.generation());
        cache.put(b("b"), value, cache.generation());
        cache.put(b("c"), value, cache.generation());
        assertThat(cache.stats().bytes()).isEqualTo(3L * entryBytes);

        cache.get(b("a")); // a is now more recent than b
        cache.put(b("d"), value, cache.generation());

        assertThat(cache.get(b("b")).cached()).isFalse();
        assertThat(cache.get(b("a")).cached()).isTrue();
        assertThat(cache.get(b("c")).cached()).isTrue();
        assertThat(cache.get(b("d")).cached()).isTrue();
        assertThat(cache.stats().entries()).isEqualTo(3);

        cache.written(b("a"), new byte[10 + entryBytes]); // a grows by one entry's weight: the eldest (c) leaves
        assertThat(cache.get(b("c")).cached()).isFalse();
        assertThat(cache.stats().bytes()).isLessThanOrEqualTo(3L * entryBytes);
    }
}
