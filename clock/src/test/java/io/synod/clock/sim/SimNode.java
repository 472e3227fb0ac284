package io.synod.clock.sim;

import io.synod.clock.BerkeleyConfig;
import io.synod.clock.BerkeleySync;
import io.synod.clock.BullyElection;
import io.synod.clock.BullyElectionConfig;
import io.synod.clock.SoftwareClock;
import io.synod.clock.SoftwareClockConfig;

/** One simulated server: its fixed identity and machine clock, and the cores of its current run. */
final class SimNode {

    final String name;
    final int rank;
    final long skewMillis;
    final DriftModel drift;
    boolean alive;
    int incarnation;
    long crashedAtMillis;
    SoftwareClock clock;
    BullyElection election;
    BerkeleySync sync;
    long lastDisplayedMillis;

    SimNode(String name, int rank, long skewMillis, DriftModel drift) {
        this.name = name;
        this.rank = rank;
        this.skewMillis = skewMillis;
        this.drift = drift;
    }

    /** Starts a new process run: fresh cores, offset zero, the same injected skew. */
    void start(long underlyingMillis) {
        alive = true;
        incarnation++;
        clock = new SoftwareClock(SoftwareClockConfig.defaults(), skewMillis, underlyingMillis);
        election = new BullyElection(BullyElectionConfig.defaults(), name, rank);
        sync = new BerkeleySync(BerkeleyConfig.defaults(), name, clock);
        lastDisplayedMillis = Long.MIN_VALUE;
    }

    void crash(long trueMillis) {
        alive = false;
        crashedAtMillis = trueMillis;
    }

    /** Reads the displayed clock and checks that it never runs backwards within one run. */
    long readDisplayed(long underlyingMillis) {
        long displayedMillis = clock.readMillis(underlyingMillis);
        if (displayedMillis < lastDisplayedMillis) {
            throw new AssertionError(name + " clock ran backwards: " + displayedMillis + " < " + lastDisplayedMillis);
        }
        lastDisplayedMillis = displayedMillis;
        return displayedMillis;
    }
}
