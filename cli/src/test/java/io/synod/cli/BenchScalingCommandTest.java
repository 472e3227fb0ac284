package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.synod.bench.load.BenchReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A scaling run writes each point's results into its own folder, a repeated point included. */
class BenchScalingCommandTest {

    @Test
    void aRepeatedPointGetsItsOwnFolder() {
        List<BenchReport.ScalingPoint> points = new ArrayList<>();
        List<String> folders = new ArrayList<>();
        int[][] grid = {{1, 64}, {1, 1}, {1, 64}, {3, 64}, {1, 64}};
        for (int[] point : grid) {
            folders.add(BenchScalingCommand.pointFolder(points, point[0], point[1]));
            points.add(new BenchReport.ScalingPoint(point[0], point[1], null));
        }
        assertThat(folders).containsExactly("s1-c64", "s1-c1", "s1-c64-2", "s3-c64", "s1-c64-3");
    }
}
