package io.synod.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepliesTest {
    @Test
    void partOneAndPartTwoStyles() {
        assertThat(Replies.success("login").data()).containsEntry("status", "sucesso");
        assertThat(Replies.success("channel").data()).containsEntry("status", "sucesso");
        assertThat(Replies.success("publish").data()).containsEntry("status", "OK");
        assertThat(Replies.success("message").data()).containsEntry("status", "OK");
        Envelope error = Replies.error("publish", "channel 'x' does not exist");
        assertThat(error.data())
                .containsEntry("status", "erro")
                .containsEntry("message", "channel 'x' does not exist")
                .containsEntry("description", "channel 'x' does not exist");
        assertThat(Replies.errorText(error)).isEqualTo("channel 'x' does not exist");
        assertThat(Replies.isSuccess(error)).isFalse();
    }

    @Test
    void channelsCarryBothKeys() {
        assertThat(Replies.channels(List.of("a", "b")).data())
                .containsEntry("users", List.of("a", "b"))
                .containsEntry("channels", List.of("a", "b"));
    }

    @Test
    void publicationsRoundTripAndCarryStatementFields() {
        Publication post = new Publication.ChannelPost("geral", "ana", "oi", 12.5, 7, 3, "m-9", 9);
        Map<String, Object> payload = post.toPayload();
        assertThat(payload).containsKeys("user", "message", "timestamp", "clock");
        Object decoded = MsgPack.decode(post.encodePayload(), Limits.DEFAULT);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) decoded;
        assertThat(Publication.fromPayload("geral", map, Limits.DEFAULT)).isEqualTo(post);

        Publication dm = new Publication.DirectMessage("ana", "bia", "oi", 12.5, 7, 1, "m-10", 10, 1);
        assertThat(dm.toPayload()).containsKeys("src", "message", "timestamp", "clock");
        @SuppressWarnings("unchecked")
        Map<String, Object> dmMap = (Map<String, Object>) MsgPack.decode(dm.encodePayload(), Limits.DEFAULT);
        assertThat(Publication.fromPayload("bia", dmMap, Limits.DEFAULT)).isEqualTo(dm);
    }

    @Test
    void foreignPublicationWithoutExtrasStillReads() {
        Publication p = Publication.fromPayload("geral", Map.of("user", "ana", "message", "oi"), Limits.DEFAULT);
        assertThat(p).isEqualTo(new Publication.ChannelPost("geral", "ana", "oi", 0.0, 0, 0, "", 0));
        Publication python = Publication.fromPayload(
                "geral", Map.of("user", "ana", "message", "oi", "timestamp", "2026-12-06 11:56:05"), Limits.DEFAULT);
        assertThat(((Publication.ChannelPost) python).timestampSeconds()).isEqualTo(1796558165.0);
        Publication unreadable = Publication.fromPayload(
                "geral", Map.of("user", "ana", "message", "oi", "timestamp", "ontem"), Limits.DEFAULT);
        assertThat(unreadable).isEqualTo(p);
    }
}
