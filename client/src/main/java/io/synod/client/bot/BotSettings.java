package io.synod.client.bot;

/**
 * What a bot does, validated.
 *
 * @param name the user name
 * @param messagesPerSecond posting rate (a pause of {@code 1000 / rate} ms follows each message)
 * @param messagesPerRound messages posted to one channel before picking another (statement: 10)
 * @param roundsMax rounds to run; 0 runs until stopped
 * @param defaultChannel the channel created when none exists
 * @param loginRetryMillis pause between login attempts while the cluster is not answering
 * @param postsPerRound public posts after each round's messages (0: none), at the same rate
 * @param followsPerRound users followed after each round's posts (0: none), at the same rate
 * @param followingMax the most users the bot follows; it stops following more then (at most
 *     {@link io.synod.protocol.Social#FOLLOWING_MAX})
 */
record BotSettings(
        String name,
        double messagesPerSecond,
        int messagesPerRound,
        long roundsMax,
        String defaultChannel,
        long loginRetryMillis,
        int postsPerRound,
        int followsPerRound,
        int followingMax) {

    BotSettings {
        if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond)) {
            throw new IllegalArgumentException("the rate must be a positive number of messages per second");
        }
        if (messagesPerRound <= 0) {
            throw new IllegalArgumentException("messages per round must be positive");
        }
        if (roundsMax < 0) {
            throw new IllegalArgumentException("rounds must be 0 (forever) or positive");
        }
        if (postsPerRound < 0 || followsPerRound < 0) {
            throw new IllegalArgumentException("posts and follows per round must be 0 or positive");
        }
        if (followingMax < 0 || followingMax > io.synod.protocol.Social.FOLLOWING_MAX) {
            throw new IllegalArgumentException(
                    "the users followed must be 0 to " + io.synod.protocol.Social.FOLLOWING_MAX);
        }
        if (loginRetryMillis <= 0) {
            throw new IllegalArgumentException("loginRetryMillis must be positive");
        }
    }

    /** The settings of the statement's bot, which only posts to channels. */
    BotSettings(
            String name,
            double messagesPerSecond,
            int messagesPerRound,
            long roundsMax,
            String defaultChannel,
            long loginRetryMillis) {
        this(name, messagesPerSecond, messagesPerRound, roundsMax, defaultChannel, loginRetryMillis, 0, 0, 0);
    }

    long pauseMillis() {
        return Math.round(1000.0 / messagesPerSecond);
    }
}
