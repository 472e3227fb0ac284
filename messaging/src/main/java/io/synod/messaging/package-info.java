/** Synod messaging module. */
package io.synod.messaging;
