/**
 * Full-text search over what users wrote (issue 21, X6): channel messages, posts and private messages, in an
 * Apache Lucene index held in memory. The index is derived state, never replicated: every server rebuilds it from
 * its store at start-up and after installing a checkpoint ({@link io.synod.search.SearchIndex#rebuild}), then
 * keeps it current by adding each searchable document as its command is applied
 * ({@link io.synod.search.SearchIndex#add}). Ranking uses no collection statistics, so two servers holding the
 * same documents return the same pages, whatever their segment and merge histories.
 */
package io.synod.search;
