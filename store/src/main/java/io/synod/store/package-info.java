/** Synod store module. */
package io.synod.store;
