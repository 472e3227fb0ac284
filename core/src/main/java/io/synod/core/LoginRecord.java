package io.synod.core;

/**
 * One recorded login of a user (statement item 11: a login history, not just a user set).
 *
 * @param user who logged in
 * @param loginNumber 1 for the user's first login, then 2, 3...
 * @param timestampSeconds the accepting server's synchronised time
 * @param clock the Lamport clock assigned to the login command
 * @param index the log index of the login command
 *     <p>Thread-safety: immutable.
 */
public record LoginRecord(String user, long loginNumber, double timestampSeconds, long clock, long index) {}
