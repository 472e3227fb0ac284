/**
 * The interactive terminal client ({@code synod client}). {@link io.synod.client.terminal.ClientCommand}
 * parses the command line and picks a console: JLine 3 on a real terminal (live messages printed
 * above the input line, tab completion), or plain lines on a pipe or a dumb terminal (tests,
 * scripts). {@code TerminalSession} holds the chat commands and is independent of the console.
 */
package io.synod.client.terminal;
