/** Synod client module. */
package io.synod.client;
