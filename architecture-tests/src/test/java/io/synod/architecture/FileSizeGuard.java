package io.synod.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The file-size guard's rules, apart from the file system so that each can be shown to fail: a main source file
 * over {@link #LINES_MAX} lines must be on the exemption list (config/file-size-exemptions.txt), and the list can
 * only shrink. A listed file that grew past its recorded count, fell to the limit or below, or no longer exists is
 * a problem until the list is edited: a big file is split, never just waved through again.
 */
final class FileSizeGuard {
    /** Lines a main source file may have without an exemption: about what a newcomer reads in one sitting. */
    static final int LINES_MAX = 500;

    /** One exemption: a file (relative to the repository root, with '/'), the lines it had, and why it may. */
    record Exemption(String path, int lines, String reason) {}

    private FileSizeGuard() {}

    /**
     * Parses the exemption list: one {@code path lines reason} per line; blank lines and {@code #} comments are
     * skipped.
     *
     * @throws IllegalArgumentException naming the line, for a line without a count or a reason, or a path listed
     *     twice
     */
    static List<Exemption> parse(List<String> lines) {
        Map<String, Exemption> byPath = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\\s+", 3);
            if (fields.length < 3 || !fields[1].matches("[0-9]{1,9}")) {
                throw new IllegalArgumentException(
                        "exemption line " + (i + 1) + ": expected 'path lines reason', got: " + line);
            }
            Exemption exemption = new Exemption(fields[0], Integer.parseInt(fields[1]), fields[2].strip());
            if (byPath.put(exemption.path(), exemption) != null) {
                throw new IllegalArgumentException(
                        "exemption line " + (i + 1) + ": " + exemption.path() + " is listed twice");
            }
        }
        return List.copyOf(byPath.values());
    }

    /**
     * Every way the sources and the list disagree, one sentence each saying what to do; empty when they agree.
     *
     * @param lineCounts lines of every main source file, by path relative to the repository root
     */
    static List<String> problems(Map<String, Integer> lineCounts, List<Exemption> exemptions) {
        List<String> problems = new ArrayList<>();
        Map<String, Exemption> exempt = new TreeMap<>();
        for (Exemption exemption : exemptions) {
            exempt.put(exemption.path(), exemption);
            Integer lines = lineCounts.get(exemption.path());
            if (lines == null) {
                problems.add(exemption.path() + " is exempted but no longer exists: delete its line");
            } else if (lines <= LINES_MAX) {
                problems.add(exemption.path() + " has " + lines + " lines, within the limit of " + LINES_MAX
                        + ": delete its exemption");
            } else if (lines > exemption.lines()) {
                problems.add(exemption.path() + " grew to " + lines + " lines, past the " + exemption.lines()
                        + " its exemption allows: split it instead");
            }
        }
        new TreeMap<>(lineCounts).forEach((path, lines) -> {
            if (lines > LINES_MAX && !exempt.containsKey(path)) {
                problems.add(path + " has " + lines + " lines, over the limit of " + LINES_MAX
                        + ": split it by job (an exemption is for files that were over it before the guard)");
            }
        });
        return problems;
    }

    /** Lines ({@code wc -l}: newline characters) of every {@code .java} file under a module's {@code src/main}. */
    static Map<String, Integer> mainSourceLineCounts(Path root) {
        Map<String, Integer> counts = new TreeMap<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path main : modules.map(module -> module.resolve("src/main"))
                    .filter(Files::isDirectory)
                    .toList()) {
                try (Stream<Path> files = Files.walk(main)) {
                    for (Path file :
                            files.filter(f -> f.toString().endsWith(".java")).toList()) {
                        String path = root.relativize(file).toString().replace('\\', '/');
                        counts.put(path, newlines(Files.readAllBytes(file)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return counts;
    }

    private static int newlines(byte[] bytes) {
        int count = 0;
        for (byte b : bytes) {
            if (b == '\n') {
                count++;
            }
        }
        return count;
    }
}
