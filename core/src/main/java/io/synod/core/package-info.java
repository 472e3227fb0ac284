/** Synod core module. */
package io.synod.core;
