package io.synod.search;

import io.synod.search.SearchDocument.ChannelMessage;
import io.synod.search.SearchDocument.Post;
import io.synod.search.SearchDocument.PrivateMessage;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.Term;

/**
 * A {@link SearchDocument} as Lucene fields and back. Every field but the searched words is stored, so a hit is
 * rebuilt from the index alone and the server needs no second read of its store.
 *
 * <ul>
 *   <li>{@code id}: the index in decimal, the identity an add replaces by;
 *   <li>{@code index}: doc values (the newest-first sort) and stored;
 *   <li>{@code kind}, {@code author}, {@code channel}: exact terms, the filters, stored;
 *   <li>{@code party}: a private message's sender and recipient, the visibility filter;
 *   <li>{@code to}, {@code seq}, {@code post}, {@code ts}, {@code body}: stored only;
 *   <li>{@code text}: the words ({@link Analysis#INDEX}), positions kept for the phrase points, no norms
 *       (the ranking does not use lengths).
 * </ul>
 */
final class SearchFields {
    static final String ID = "id";
    static final String INDEX = "index";
    static final String KIND = "kind";
    static final String AUTHOR = "author";
    static final String CHANNEL = "channel";
    static final String PARTY = "party";
    static final String TO = "to";
    static final String SEQ = "seq";
    static final String POST = "post";
    static final String TIMESTAMP = "ts";
    static final String BODY = "body";
    static final String TEXT = "text";

    private static final FieldType WORDS = words();

    private SearchFields() {}

    static Term idTerm(long index) {
        return new Term(ID, Long.toString(index));
    }

    static Document toLucene(SearchDocument document) {
        Document fields = new Document();
        fields.add(new StringField(ID, Long.toString(document.index()), Field.Store.NO));
        fields.add(new NumericDocValuesField(INDEX, document.index()));
        fields.add(new StoredField(INDEX, document.index()));
        fields.add(new StringField(KIND, document.kind().wireName(), Field.Store.YES));
        fields.add(new StringField(AUTHOR, document.author(), Field.Store.YES));
        fields.add(new StoredField(TIMESTAMP, document.timestampSeconds()));
        fields.add(new StoredField(BODY, document.text()));
        fields.add(new Field(TEXT, Analysis.normalize(document.text()), WORDS));
        switch (document) {
            case ChannelMessage message -> {
                fields.add(new StringField(CHANNEL, message.channel(), Field.Store.YES));
                fields.add(new StoredField(SEQ, message.seq()));
            }
            case Post post -> fields.add(new StoredField(POST, post.postId()));
            case PrivateMessage message -> {
                fields.add(new StringField(PARTY, message.from(), Field.Store.NO));
                fields.add(new StringField(PARTY, message.to(), Field.Store.NO));
                fields.add(new StoredField(TO, message.to()));
            }
        }
        return fields;
    }

    static SearchDocument fromLucene(Document fields) {
        long index = fields.getField(INDEX).numericValue().longValue();
        String author = fields.get(AUTHOR);
        String text = fields.get(BODY);
        double timestamp = fields.getField(TIMESTAMP).numericValue().doubleValue();
        return switch (DocumentKind.fromWire(KIND, fields.get(KIND))) {
            case CHANNEL ->
                new ChannelMessage(
                        index,
                        fields.get(CHANNEL),
                        fields.getField(SEQ).numericValue().longValue(),
                        author,
                        text,
                        timestamp);
            case POST -> new Post(index, fields.get(POST), author, text, timestamp);
            case PRIVATE -> new PrivateMessage(index, author, fields.get(TO), text, timestamp);
        };
    }

    private static FieldType words() {
        FieldType type = new FieldType();
        type.setTokenized(true);
        type.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS);
        type.setOmitNorms(true);
        type.freeze();
        return type;
    }
}
