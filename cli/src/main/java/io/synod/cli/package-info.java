/** Synod cli module. */
package io.synod.cli;
