/**
 * The statement's automatic client ({@code synod bot}): {@link io.synod.client.bot.BotCommand}
 * parses the command line; {@code Bot} logs in under a random name and then, round after round,
 * picks a random existing channel and posts a burst of messages to it.
 */
package io.synod.client.bot;
