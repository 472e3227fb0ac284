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
 */
record BotSettings(
        String name,
        double messagesPerSecond,
        int messagesPerRound,
        long roundsMax,
        String defaultChannel,
        long loginRetryMillis) {

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
        if (loginRetryMillis <= 0) {
            throw new IllegalArgumentException("loginRetryMillis must be positive");
        }
    }

    long pauseMillis() {
        return Math.round(1000.0 / messagesPerSecond);
    }
}
