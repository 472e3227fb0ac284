/** Synod simulation module. */
package io.synod.simulation;
