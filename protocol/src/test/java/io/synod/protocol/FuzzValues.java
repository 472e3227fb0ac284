package io.synod.protocol;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Equality of decoded values for the fuzz tests: binary by content, maps by entries in order. */
final class FuzzValues {
    private FuzzValues() {}

    static boolean same(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            return x.size() == y.size() && allSame(x.iterator(), y.iterator());
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            return x.size() == y.size()
                    && allSame(x.entrySet().iterator(), y.entrySet().iterator());
        }
        if (a instanceof Map.Entry<?, ?> x && b instanceof Map.Entry<?, ?> y) {
            return x.getKey().equals(y.getKey()) && same(x.getValue(), y.getValue());
        }
        return Objects.equals(a, b);
    }

    private static boolean allSame(Iterator<?> a, Iterator<?> b) {
        while (a.hasNext()) {
            if (!same(a.next(), b.next())) {
                return false;
            }
        }
        return true;
    }
}
