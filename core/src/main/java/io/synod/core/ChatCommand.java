package io.synod.core;

/**
 * A state-changing chat operation, one record per statement service that writes. Commands are
 * values: they carry everything {@link ChatStateMachine#apply(Command)} needs, so applying the same
 * commands in the same order gives the same state on every replica.
 *
 * <p>The adapters validate wire input (names, lengths) with the protocol's rules before building a
 * command; the constructors only check what the state machine itself relies on (non-empty, no
 * NUL character, since NUL separates key parts).
 *
 * <p>Thread-safety: immutable.
 */
public sealed interface ChatCommand
        permits ChatCommand.Login, ChatCommand.CreateChannel, ChatCommand.Publish, ChatCommand.SendMessage {

    /** The wire service this command comes from, e.g. {@code login}. */
    String service();

    /** {@code login}: records one login of {@code user}; every login is kept with its timestamp. */
    record Login(String user) implements ChatCommand {
        public Login {
            ChatInvariants.requireKeyName("user", user);
        }

        @Override
        public String service() {
            return "login";
        }
    }

    /** {@code channel}: creates {@code channel}; an error if it exists. */
    record CreateChannel(String channel) implements ChatCommand {
        public CreateChannel {
            ChatInvariants.requireKeyName("channel", channel);
        }

        @Override
        public String service() {
            return "channel";
        }
    }

    /** {@code publish}: posts {@code message} on {@code channel} as {@code user}. */
    record Publish(String user, String channel, String message) implements ChatCommand {
        public Publish {
            ChatInvariants.requireKeyName("user", user);
            ChatInvariants.requireKeyName("channel", channel);
            ChatInvariants.require(message != null, "message must not be null");
        }

        @Override
        public String service() {
            return "publish";
        }
    }

    /** {@code message}: a private message from {@code src} to {@code dst}. */
    record SendMessage(String src, String dst, String message) implements ChatCommand {
        public SendMessage {
            ChatInvariants.requireKeyName("src", src);
            ChatInvariants.requireKeyName("dst", dst);
            ChatInvariants.require(message != null, "message must not be null");
        }

        @Override
        public String service() {
            return "message";
        }
    }
}
