/** Synod registry module. */
package io.synod.registry;
