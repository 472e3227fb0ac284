/**
 * The {@code ./synod} launcher: one jar, every process of the system as a subcommand
 * ({@code broker}, {@code proxy}, {@code reference}, {@code server}, {@code client}, {@code bot}),
 * plus the tools that drive them ({@code up}, {@code status}, {@code logs}, {@code sim}).
 *
 * <p>{@link io.synod.cli.UpCommand} starts each process as a separate OS process running this same
 * jar, so any one of them can be killed and restarted by hand.
 */
package io.synod.cli;
