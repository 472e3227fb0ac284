/** Synod protocol module. */
package io.synod.protocol;
