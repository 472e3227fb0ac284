/** Synod clock module. */
package io.synod.clock;
