package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import org.junit.jupiter.api.Test;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

class ZmqOptionsTest {
    @Test
    void aNudgeLeavesNoSocketBehindAndNeverThrows() {
        ZContext context = new ZContext(1);
        try {
            ZMQ.Socket kept = context.createSocket(SocketType.DEALER);
            ZmqOptions.nudge(context);
            ZmqOptions.nudge(context);
            assertThat(context.getSockets()).containsExactly(kept);
        } finally {
            context.close();
        }
        assertThatCode(() -> ZmqOptions.nudge(context)).as("a closed context").doesNotThrowAnyException();
    }
}
