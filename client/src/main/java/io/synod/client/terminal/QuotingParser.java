package io.synod.client.terminal;

import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.impl.DefaultParser;

/**
 * JLine's view of a command line for tab completion, in the grammar of {@link CommandArguments}:
 * words split at spaces, {@code "} and {@code '} quote, no escape character (a backslash is part of
 * a name). A completed name is inserted as {@link CommandArguments#quote} writes it, so {@code
 * /msg Ana<TAB>} becomes {@code /msg "Ana Maria" }.
 *
 * <p>Thread-safety: used by the console's reading thread only.
 */
final class QuotingParser implements Parser {
    private final DefaultParser words = new DefaultParser();

    QuotingParser() {
        words.setEscapeChars(null);
        words.setQuoteChars(new char[] {'"', '\''});
    }

    @Override
    public ParsedLine parse(String line, int cursor, ParseContext context) {
        ParsedLine parsed = words.parse(line, cursor, context);
        return parsed instanceof CompletingParsedLine completing ? new Quoting(completing) : parsed;
    }

    /** JLine's parsed line, inserting completions quoted as the terminal reads them. */
    private record Quoting(CompletingParsedLine parsed) implements CompletingParsedLine {
        @Override
        public CharSequence escape(CharSequence candidate, boolean complete) {
            return CommandArguments.quote(candidate.toString(), complete);
        }

        @Override
        public int rawWordCursor() {
            return parsed.rawWordCursor();
        }

        @Override
        public int rawWordLength() {
            return parsed.rawWordLength();
        }

        @Override
        public String word() {
            return parsed.word();
        }

        @Override
        public int wordCursor() {
            return parsed.wordCursor();
        }

        @Override
        public int wordIndex() {
            return parsed.wordIndex();
        }

        @Override
        public List<String> words() {
            return parsed.words();
        }

        @Override
        public String line() {
            return parsed.line();
        }

        @Override
        public int cursor() {
            return parsed.cursor();
        }
    }
}
