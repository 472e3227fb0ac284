package io.synod.clock;

import java.util.Objects;
import java.util.Optional;

/**
 * The coordinator variable of one server changed (statement part 4: "each server keeps the name of
 * the coordinator"). The adapter logs it, shows it on {@code /status} and tells the Berkeley core.
 *
 * <p>Thread-safety: immutable.
 *
 * @param previousCoordinator the name before, empty if none was known
 * @param currentCoordinator the name now, empty while an election is running
 */
public record CoordinatorChange(Optional<String> previousCoordinator, Optional<String> currentCoordinator) {

    /** Rejects nulls and no-op changes. */
    public CoordinatorChange {
        Objects.requireNonNull(previousCoordinator, "previousCoordinator");
        Objects.requireNonNull(currentCoordinator, "currentCoordinator");
        ClockInvariants.require(!previousCoordinator.equals(currentCoordinator), "a change must change something");
    }
}
