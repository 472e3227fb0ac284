package io.synod.search;

/**
 * One document found, with its points under {@link SearchSort#BEST} (0 under {@link SearchSort#NEWEST}, which
 * does not rank by them).
 */
public record SearchHit(SearchDocument document, int points) {}
