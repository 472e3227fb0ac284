package io.synod.clock;

/**
 * The underlying physical clock of one process, as seen by a {@link SoftwareClock}.
 *
 * <p>The pure cores never call this interface themselves: adapters read it and pass the reading in
 * as an argument ({@code underlyingMillis}). It exists so that the messaging adapter (backed by
 * {@code System.nanoTime()} anchored to the epoch once at start-up) and the simulator (backed by a
 * drifting model clock) share one contract.
 *
 * <p>Contract: readings are milliseconds since the Unix epoch and should be non-decreasing. A
 * {@link SoftwareClock} tolerates a reading that goes backwards (it holds its value until the
 * underlying clock catches up), so a wall-clock step cannot make the software clock run backwards.
 *
 * <p>Thread-safety: implementations must be safe to call from any thread.
 */
@FunctionalInterface
public interface PhysicalTimeSource {

    /**
     * Reads the underlying clock.
     *
     * @return milliseconds since the Unix epoch, without skew or offset
     */
    long underlyingMillis();
}
