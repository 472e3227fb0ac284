/** Synod server module. */
package io.synod.server;
