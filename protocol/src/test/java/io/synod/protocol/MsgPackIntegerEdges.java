package io.synod.protocol;

/** The integers at which MessagePack's integer forms change (fixint, int8-64, uint8-64): the edges both codecs test. */
final class MsgPackIntegerEdges {
    static final long[] EDGES = {
        0,
        1,
        31,
        32,
        127,
        128,
        255,
        256,
        65_535,
        65_536,
        4_294_967_295L,
        4_294_967_296L,
        Long.MAX_VALUE,
        -1,
        -32,
        -33,
        -128,
        -129,
        -32_768,
        -32_769,
        Integer.MIN_VALUE,
        Integer.MIN_VALUE - 1L,
        Long.MIN_VALUE
    };

    private MsgPackIntegerEdges() {}
}
