package io.synod.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Python 3 check run to its end with Debian's interpreter (python3-zmq, python3-msgpack): a foreign peer that
 * shares no code with ours. The script prints {@code ok ...} and {@code FAIL ...} lines and a last line saying all
 * its checks passed; a test asserts that, with the whole output in the message. Used by this module's interop
 * tests, and by system-tests through the test-jar.
 */
public final class PythonScript {
    /** Debian's interpreter, which has the zmq and msgpack modules. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private PythonScript() {}

    /** Copies the class-path resource {@code name} (e.g. {@code /libzmq_peers.py}) into {@code directory}. */
    public static Path fromResource(String name, Path directory) throws IOException {
        Path script = directory.resolve(name.substring(name.lastIndexOf('/') + 1));
        try (InputStream in = PythonScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no resource " + name);
            }
            Files.write(script, in.readAllBytes());
        }
        return script;
    }

    /**
     * Runs {@code script} with {@code arguments}, its output into {@code output}, for at most {@code timeoutSeconds};
     * asserts it finished in time, exited 0, printed {@code passed} and no {@code FAIL}; returns the output for the
     * test's own checks. {@code what} names the check in the failure messages.
     */
    public static String runPassing(
            String what, Path script, List<String> arguments, Path output, long timeoutSeconds, String passed)
            throws IOException, InterruptedException {
        assertThat(PYTHON)
                .as("Debian's /usr/bin/python3 (apt-get install python3-zmq python3-msgpack)")
                .exists();
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), script.toString()));
        command.addAll(arguments);
        Process python = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        boolean finished = python.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            python.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(finished).as(what + " finished in time:\n" + text).isTrue();
        assertThat(python.exitValue()).as(what + ":\n" + text).isZero();
        assertThat(text).contains(passed).doesNotContain("FAIL");
        return text;
    }
}
