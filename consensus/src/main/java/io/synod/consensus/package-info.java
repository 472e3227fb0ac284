/** Synod consensus module. */
package io.synod.consensus;
