package io.synod.search;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.standard.StandardTokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

/**
 * How text becomes words, the same for documents and queries. Text is first put in NFC (so "ação" typed as
 * {@code a c \u0303 a \u0303 o} is the precomposed word), then Unicode word boundaries (UAX #29, Lucene's
 * {@link StandardTokenizer}: words of every script, numbers, emoji), lower case, and ASCII folding
 * ({@link ASCIIFoldingFilter}: ç→c, ã→a, é→e, ß→ss, ø→o...). No stop words and no stemming: messages mix Portuguese
 * and English and nothing says which, and a user who searches "de" or "the" means it.
 *
 * <p>Documents are indexed with the folded word and, where folding changed it, the word as written at the same
 * position, so a query word typed with its accents can rank the documents that have them first.
 */
final class Analysis {
    /** The analyzer of indexed text: folded words plus, at the same position, the accented originals. */
    static final Analyzer INDEX = new WordAnalyzer(true, true);

    private static final Analyzer FOLDED = new WordAnalyzer(true, false);
    private static final Analyzer LOWER_CASE = new WordAnalyzer(false, false);

    private Analysis() {}

    /** Canonical composition, so that one word typed two ways is one word. */
    static String normalize(String text) {
        return Normalizer.normalize(text, Normalizer.Form.NFC);
    }

    /** The folded words of {@code text}, in order; at most {@code wordsMax + 1}, so a caller can tell "too many". */
    static List<String> foldedWords(String text, int wordsMax) {
        return words(FOLDED, text, wordsMax);
    }

    /** The words of {@code text} in lower case with their accents; at most {@code wordsMax + 1}. */
    static List<String> lowerCaseWords(String text, int wordsMax) {
        return words(LOWER_CASE, text, wordsMax);
    }

    private static List<String> words(Analyzer analyzer, String text, int wordsMax) {
        List<String> words = new ArrayList<>();
        try (TokenStream stream = analyzer.tokenStream(SearchFields.TEXT, normalize(text))) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (words.size() <= wordsMax && stream.incrementToken()) {
                words.add(term.toString());
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException("analysing a string cannot do I/O", e);
        }
        return words;
    }

    private static final class WordAnalyzer extends Analyzer {
        private final boolean fold;
        private final boolean keepOriginal;

        WordAnalyzer(boolean fold, boolean keepOriginal) {
            this.fold = fold;
            this.keepOriginal = keepOriginal;
        }

        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            StandardTokenizer source = new StandardTokenizer();
            TokenStream stream = new LowerCaseFilter(source);
            if (fold) {
                stream = new ASCIIFoldingFilter(stream, keepOriginal);
            }
            return new TokenStreamComponents(source, stream);
        }
    }
}
