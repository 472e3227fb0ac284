package io.synod.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.synod.messaging.admin.AdminOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The deployment files cannot drift from the code (issue 24, item 5): docker-compose.yml and every manifest under
 * deploy/k8s are parsed (the compose file as YAML, the manifests into fabric8's Kubernetes model), every command line
 * is parsed by the launcher's own picocli spec, and every endpoint, port, probe and environment variable is checked
 * against what the processes bind and the services expose. No container engine is needed.
 *
 * <p>Repeated {@code --broker} and {@code --proxy} options (several brokers and proxies) parse both where they are
 * single-valued today (the last one counts) and where they take a list.
 */
class DeploymentFilesTest {
    private static final YAMLMapper YAML = YAMLMapper.builder().build();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern ENDPOINT = Pattern.compile("(?:tcp|http)://([^:/]+):(\\d+)");
    private static final Pattern K8S_VARIABLE = Pattern.compile("\\$\\(([A-Z_][A-Z0-9_]*)\\)");
    private static final Set<String> PROBE_PATHS = Set.of("/health", "/status", "/metrics");
    /** Environment variables a container may set: the JVM's; the launcher reads none (all is options). */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docker-compose.yml"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the repository root, holding docker-compose.yml").isNotNull();
        return dir;
    }

    /** A command line as the launcher parses it: its subcommand and every option's values, in order. */
    record Command(String subcommand, Map<String, List<String>> options) {
        String last(String option) {
            List<String> values = options.getOrDefault(option, List.of());
            return values.isEmpty() ? null : values.get(values.size() - 1);
        }

        List<String> all(String option) {
            return options.getOrDefault(option, List.of());
        }

        boolean has(String option) {
            return options.containsKey(option);
        }
    }

    static Command parse(List<String> args) {
        CommandLine launcher = new CommandLine(new SynodMain());
        launcher.setOverwrittenOptionsAllowed(true); // a single-valued --broker given twice: the last one counts
        ParseResult top = launcher.parseArgs(args.toArray(String[]::new));
        assertThat(top.hasSubcommand()).as("a subcommand in %s", args).isTrue();
        ParseResult sub = top.subcommand();
        assertThat(sub.hasSubcommand()).as("no nested subcommand in %s", args).isFalse();
        assertThat(sub.unmatched()).as("unmatched arguments in %s", args).isEmpty();
        Map<String, List<String>> options = new LinkedHashMap<>();
        String pending = null;
        for (String arg : args.subList(1, args.size())) { // every raw value, so a repeated option keeps them all
            if (pending != null) {
                options.computeIfAbsent(pending, k -> new ArrayList<>()).add(arg);
                pending = null;
                continue;
            }
            OptionSpec option = sub.commandSpec().findOption(arg);
            assertThat(option)
                    .as("option %s of %s", arg, sub.commandSpec().name())
                    .isNotNull();
            if (option.arity().max() == 0) {
                options.computeIfAbsent(arg, k -> new ArrayList<>()).add("true");
            } else {
                pending = option.longestName();
            }
        }
        assertThat(pending).as("a value for %s", pending).isNull();
        if (options.containsKey("--admin-bind") || options.containsKey("--admin-port")) {
            adminAddress(new Command(sub.commandSpec().name(), options)); // the admin options' own validation
        }
        return new Command(sub.commandSpec().name(), options);
    }

    @CommandLine.Command(name = "admin-options")
    static final class AdminHolder {
        @CommandLine.Mixin
        AdminOptions admin = new AdminOptions();
    }

    /** The admin address of {@code command}, validated by the processes' own {@link AdminOptions}. */
    static InetSocketAddress adminAddress(Command command) {
        List<String> args = new ArrayList<>();
        for (String option : List.of("--admin-bind", "--admin-host", "--admin-port")) {
            if (command.has(option)) {
                args.add(option);
                args.add(command.last(option));
            }
        }
        AdminHolder holder = new AdminHolder();
        new CommandLine(holder).parseArgs(args.toArray(String[]::new));
        return holder.admin.address();
    }

    /** Ports this process binds: its wildcard endpoints, its admin port, and a server's own peer endpoints. */
    static Set<Integer> boundPorts(Command command) {
        Set<Integer> ports = new LinkedHashSet<>();
        for (List<String> values : command.options().values()) {
            for (String value : values) {
                Matcher m = ENDPOINT.matcher(value);
                if (m.matches() && m.group(1).equals("0.0.0.0")) {
                    ports.add(Integer.parseInt(m.group(2)));
                }
            }
        }
        if (command.has("--admin-bind") || command.has("--admin-port")) {
            ports.add(adminAddress(command).getPort());
        }
        if (command.subcommand().equals("web") && "0.0.0.0".equals(command.last("--host"))) {
            ports.add(Integer.parseInt(command.last("--port")));
        }
        if (command.subcommand().equals("server")) {
            for (String option : List.of("--advertise", "--paxos-endpoint")) {
                if (command.has(option)) {
                    ports.add(portOf(command.last(option)));
                }
            }
            if (command.has("--initial-members")) {
                String self = initialMembers(command).get(command.last("--name"));
                if (self != null) {
                    ports.add(portOf(self));
                }
            }
        }
        return ports;
    }

    static Map<String, String> initialMembers(Command command) {
        Map<String, String> members = new LinkedHashMap<>();
        for (String item : command.last("--initial-members").split(",")) {
            String[] pair = item.split("=", 2);
            members.put(pair[0], pair[1]);
        }
        return members;
    }

    /** Every {@code HOST:PORT} this process connects to (its endpoints to other hosts), as {@code [host, port]}. */
    static List<String[]> references(Command command) {
        List<String[]> refs = new ArrayList<>();
        List<String> values = new ArrayList<>();
        command.options().forEach((option, vs) -> {
            if (!option.equals("--admin-bind") && !option.equals("--advertise") && !option.equals("--paxos-endpoint")) {
                values.addAll(vs);
            }
        });
        if (command.has("--initial-members")) {
            values.remove(command.last("--initial-members"));
            values.addAll(initialMembers(command).values());
        }
        for (String value : values) {
            Matcher m = ENDPOINT.matcher(value);
            if (m.matches() && !m.group(1).equals("0.0.0.0")) {
                refs.add(new String[] {m.group(1), m.group(2)});
            }
        }
        return refs;
    }

    // ------------------------------------------------------------------ docker-compose.yml

    @Test
    void theComposeFileRunsTheStatementsTopologyWithTwoBrokersAndTwoProxies() throws IOException {
        JsonNode services =
                YAML.readTree(root().resolve("docker-compose.yml").toFile()).get("services");
        Map<String, Command> commands = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            List<String> args = new ArrayList<>();
            service.getValue().get("command").forEach(a -> args.add(a.asString()));
            commands.put(service.getKey(), parse(args));
        }
        assertThat(commands.keySet())
                .contains("ref", "broker", "proxy", "server_1", "server_2", "server_3", "client", "bot", "web");
        assertThat(commands.get("ref").subcommand()).isEqualTo("reference");
        assertThat(services.get("bot").get("deploy").get("replicas").asInt()).isEqualTo(2);
        JsonNode client = services.get("client");
        assertThat(client.get("stdin_open").asBoolean() && client.get("tty").asBoolean())
                .as("the client logs in when attached")
                .isTrue();
        assertThat(commands.get("client").has("--user"))
                .as("asks for a name when attached")
                .isFalse();
        List<String> brokers = servicesRunning(commands, "broker");
        List<String> proxies = servicesRunning(commands, "proxy");
        assertThat(brokers).hasSizeGreaterThanOrEqualTo(2);
        assertThat(proxies).hasSizeGreaterThanOrEqualTo(2);

        Set<String> serverVolumes = new LinkedHashSet<>();
        for (Map.Entry<String, Command> entry : commands.entrySet()) {
            String name = entry.getKey();
            Command command = entry.getValue();
            JsonNode service = services.get(name);
            Set<Integer> bound = boundPorts(command);
            for (String[] ref : references(command)) { // every endpoint names a service that binds that port
                String host = ref[0];
                int port = Integer.parseInt(ref[1]);
                assertThat(commands)
                        .as("%s connects to %s:%d: no such service", name, host, port)
                        .containsKey(host);
                assertThat(boundPorts(commands.get(host)))
                        .as("%s connects to %s:%d", name, host, port)
                        .contains(port);
            }
            if (service.has("ports")) {
                for (JsonNode mapping : service.get("ports")) {
                    String[] parts = mapping.asString().split(":");
                    assertThat(bound).as("%s publishes %s", name, mapping).contains(Integer.parseInt(parts[1]));
                }
            }
            if (service.has("depends_on")) {
                service.get("depends_on").forEach(d -> assertThat(commands).containsKey(d.asString()));
            }
            if (service.has("environment")) {
                service.get("environment")
                        .properties()
                        .forEach(e -> assertThat(JVM_VARIABLES)
                                .as("%s sets %s", name, e.getKey())
                                .contains(e.getKey()));
            }
            boolean longRunning =
                    Set.of("reference", "broker", "proxy", "server", "web").contains(command.subcommand());
            if (longRunning) { // admin on the network, and a healthcheck on its /health
                InetSocketAddress admin = adminAddress(command);
                assertThat(admin.getHostString()).as("%s admin host", name).isEqualTo("0.0.0.0");
                List<String> test = new ArrayList<>();
                service.get("healthcheck").get("test").forEach(t -> test.add(t.asString()));
                URI health = URI.create(test.get(test.size() - 1));
                assertThat(health.getPath()).as("%s healthcheck", name).isEqualTo("/health");
                assertThat(health.getPort()).as("%s healthcheck port", name).isEqualTo(admin.getPort());
                assertThat(test).as("%s healthcheck fails on 503", name).contains("-fsS");
            }
            if (command.subcommand().equals("server")) {
                assertThat(command.all("--broker"))
                        .as("%s connects to every broker", name)
                        .containsExactlyInAnyOrderElementsOf(brokers.stream()
                                .map(b -> "tcp://" + b + ":" + port(commands.get(b), "--backend"))
                                .toList());
                assertThat(command.all("--proxy"))
                        .as("%s connects to every proxy", name)
                        .containsExactlyInAnyOrderElementsOf(proxies.stream()
                                .map(p -> "tcp://" + p + ":" + port(commands.get(p), "--xsub"))
                                .toList());
                assertThat(initialMembers(command)).containsKey(command.last("--name"));
                assertThat(command.last("--name")).isEqualTo(name);
                String volume = service.get("volumes").get(0).asString();
                assertThat(serverVolumes.add(volume.split(":")[0]))
                        .as("%s has a volume of its own", name)
                        .isTrue();
                assertThat(command.last("--data-dir")).startsWith(volume.split(":")[1]);
            }
            if (Set.of("client", "bot", "web").contains(command.subcommand())) {
                assertThat(command.all("--broker"))
                        .as("%s uses every broker", name)
                        .hasSameSizeAs(brokers);
                assertThat(command.all("--proxy"))
                        .as("%s uses every proxy", name)
                        .hasSameSizeAs(proxies);
            }
        }
        assertThat(serverVolumes).hasSize(3);
    }

    private static List<String> servicesRunning(Map<String, Command> commands, String subcommand) {
        return commands.entrySet().stream()
                .filter(e -> e.getValue().subcommand().equals(subcommand))
                .map(Map.Entry::getKey)
                .toList();
    }

    private static int port(Command command, String option) {
        return portOf(command.last(option));
    }

    /** The port of {@code tcp://HOST:PORT} (java.net.URI refuses the underscore of {@code server_1}). */
    static int portOf(String endpoint) {
        Matcher m = ENDPOINT.matcher(endpoint);
        assertThat(m.matches()).as("an endpoint: %s", endpoint).isTrue();
        return Integer.parseInt(m.group(2));
    }

    @Test
    void theDockerfileBuildsEveryModuleTheLauncherNeeds() throws IOException {
        Path root = root();
        String dockerfile = Files.readString(root.resolve("Dockerfile"));
        String pom = Files.readString(root.resolve("pom.xml"));
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(pom);
        while (module.find()) {
            String name = module.group(1);
            assertThat(dockerfile)
                    .as("the Dockerfile copies module %s", name)
                    .containsAnyOf("COPY " + name + " " + name, "COPY " + name + "/pom.xml " + name + "/pom.xml");
        }
        assertThat(dockerfile).contains("curl").contains("EXPOSE 8081");
    }

    /**
     * The image's entrypoint (a shell line, so that it can ask the kernel about huge pages) hands the container's
     * command to the launcher word for word, after the launcher's flags and {@code SYNOD_JAVA_OPTS}: run here, with a
     * {@code java} that prints its arguments.
     */
    @Test
    void theImagesEntrypointHandsTheCommandToTheLauncher(@TempDir Path bin) throws Exception {
        Matcher line = Pattern.compile("(?m)^ENTRYPOINT (.*)$").matcher(Files.readString(root().resolve("Dockerfile")));
        assertThat(line.find()).as("the Dockerfile's ENTRYPOINT").isTrue();
        List<String> command = new ArrayList<>();
        JSON.readTree(line.group(1)).forEach(word -> command.add(word.asString()));
        command.addAll(List.of("server", "--name", "two words", "$HOME", "*"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":/usr/bin:/bin");
        builder.environment().put("SYNOD_JAVA_OPTS", "-Xmx1g -Dsynod.x=y");
        Process process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS))
                .as("the entrypoint ends")
                .isTrue();
        List<String> passed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();

        Path thpMode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean hugePages = Files.isReadable(thpMode)
                && Pattern.compile("\\[(always|madvise)\\]")
                        .matcher(Files.readString(thpMode))
                        .find();
        List<String> expected = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        if (hugePages) {
            expected.add("-XX:+UseTransparentHugePages");
        }
        expected.addAll(List.of(
                "-Xmx1g", "-Dsynod.x=y", "-jar", "/app/synod.jar", "server", "--name", "two words", "$HOME", "*"));
        assertThat(passed).as("what java was given").containsExactlyElementsOf(expected);
    }

    // ------------------------------------------------------------------ README.md

    /**
     * Every {@code docker compose} and {@code kubectl} command of the README's "Run it on several machines" (in its
     * code blocks and its inline code) names a service of the compose file, or a StatefulSet, Service, pod, claim or
     * Secret the manifests define, and every launcher command line in them parses with the launcher's own options.
     */
    @Test
    void theReadmesDeploymentCommandsNameWhatTheFilesDefine() throws IOException {
        String readme = Files.readString(root().resolve("README.md"));
        int start = readme.indexOf("## Run it on several machines");
        assertThat(start).as("the README's section on several machines").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<String> commands = deploymentCommands(section);
        assertThat(commands)
                .as("the section's commands")
                .anyMatch(c -> c.startsWith("docker compose up"))
                .anyMatch(c -> c.startsWith("docker compose attach client"))
                .anyMatch(c -> c.startsWith("docker compose kill server_"))
                .anyMatch(c -> c.startsWith("kubectl apply -f deploy/k8s/"))
                .anyMatch(c -> c.startsWith("kubectl scale statefulset"));

        JsonNode compose =
                YAML.readTree(root().resolve("docker-compose.yml").toFile()).get("services");
        Map<String, Command> composeCommands = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> service : compose.properties()) {
            List<String> args = new ArrayList<>();
            service.getValue().get("command").forEach(a -> args.add(a.asString()));
            composeCommands.put(service.getKey(), parse(args));
        }
        Map<String, StatefulSet> sets = new HashMap<>();
        Map<String, Service> k8sServices = new HashMap<>();
        Set<String> secrets = new LinkedHashSet<>();
        for (HasMetadata resource : manifests()) {
            PodTemplateSpec template = null;
            if (resource instanceof StatefulSet set) {
                sets.put(set.getMetadata().getName(), set);
                template = set.getSpec().getTemplate();
            } else if (resource instanceof Deployment deployment) {
                template = deployment.getSpec().getTemplate();
            } else if (resource instanceof Service service) {
                k8sServices.put(service.getMetadata().getName(), service);
            }
            if (template != null && template.getSpec().getVolumes() != null) {
                template.getSpec().getVolumes().stream()
                        .filter(v -> v.getSecret() != null)
                        .forEach(v -> secrets.add(v.getSecret().getSecretName()));
            }
        }

        for (String line : commands) {
            List<String> words = List.of(line.split("\\s+"));
            if (line.startsWith("docker compose ")) {
                checkComposeCommand(line, words.subList(2, words.size()), composeCommands);
            } else {
                checkKubectlCommand(line, words.subList(1, words.size()), sets, k8sServices, secrets);
            }
        }
    }

    /** The {@code docker compose} and {@code kubectl} commands of {@code markdown}, comments and continuations gone. */
    static List<String> deploymentCommands(String markdown) {
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = new StringBuilder();
        StringBuilder prose = new StringBuilder(); // inline code may wrap over a line break
        for (String line : markdown.split("\n")) {
            if (line.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (inBlock) {
                String code = line.replaceAll("\\s+#.*$", "").trim();
                if (code.endsWith("\\")) {
                    pending.append(code, 0, code.length() - 1).append(' ');
                    continue;
                }
                commands.add(pending.append(code).toString().trim());
                pending.setLength(0);
            } else {
                prose.append(line).append(' ');
            }
        }
        Matcher inline = Pattern.compile("`([^`]+)`").matcher(prose);
        while (inline.find()) {
            commands.add(inline.group(1).trim().replaceAll("\\s+", " "));
        }
        return commands.stream()
                .filter(c -> c.startsWith("docker compose ") || c.startsWith("kubectl "))
                .toList();
    }

    private static final Set<String> COMPOSE_VERBS_WITHOUT_SERVICE = Set.of("up", "ps", "down");
    private static final Set<String> COMPOSE_VERBS_WITH_SERVICE =
            Set.of("attach", "kill", "start", "stop", "restart", "logs", "exec", "run");

    private static void checkComposeCommand(String line, List<String> words, Map<String, Command> services) {
        String verb = words.get(0);
        if (COMPOSE_VERBS_WITHOUT_SERVICE.contains(verb)) {
            return;
        }
        assertThat(COMPOSE_VERBS_WITH_SERVICE)
                .as("a compose verb in '%s'", line)
                .contains(verb);
        int at = 1;
        while (at < words.size() && words.get(at).startsWith("-")) {
            at++; // --rm, --no-deps: none of those used takes a value
        }
        assertThat(at).as("a service in '%s'", line).isLessThan(words.size());
        String service = words.get(at);
        assertThat(services).as("'%s' names a compose service", line).containsKey(service);
        if (verb.equals("run") && at + 1 < words.size()) { // the image's entrypoint is the launcher
            Command command = parse(words.subList(at + 1, words.size()));
            for (String url : command.all("--admin")) {
                Matcher m = ENDPOINT.matcher(url);
                assertThat(m.matches()).as("an admin URL in '%s'", line).isTrue();
                assertThat(services).as("'%s' asks %s", line, url).containsKey(m.group(1));
                assertThat(adminAddress(services.get(m.group(1))).getPort())
                        .as("'%s': the admin port of %s", line, m.group(1))
                        .isEqualTo(Integer.parseInt(m.group(2)));
            }
        }
    }

    private static void checkKubectlCommand(
            String line,
            List<String> words,
            Map<String, StatefulSet> sets,
            Map<String, Service> services,
            Set<String> secrets) {
        switch (words.get(0)) {
            case "apply" -> assertThat(words).as(line).containsSubsequence("-f", "deploy/k8s/");
            case "get" -> {}
            case "create" ->
                assertThat(secrets)
                        .as("'%s' creates a Secret a pod mounts", line)
                        .contains(words.get(3));
            case "scale" -> {
                assertThat(words.get(1)).as(line).isEqualTo("statefulset");
                assertThat(sets).as("'%s' names a StatefulSet", line).containsKey(words.get(2));
            }
            case "port-forward" -> {
                String name = words.get(1).substring("svc/".length());
                assertThat(services).as("'%s' names a Service", line).containsKey(name);
                int port = Integer.parseInt(words.get(2).split(":")[1]);
                assertThat(services.get(name).getSpec().getPorts())
                        .as("'%s': a port of Service %s", line, name)
                        .anyMatch(p -> p.getPort() == port);
            }
            case "delete" -> {
                if (words.get(1).equals("pvc")) { // <claim template>-<pod>
                    String pod = words.get(2).substring(words.get(2).indexOf('-') + 1);
                    StatefulSet set = podOf(line, pod, sets);
                    assertThat(set.getSpec().getVolumeClaimTemplates())
                            .as("'%s' deletes a claim of %s", line, pod)
                            .anyMatch(c -> words.get(2).equals(c.getMetadata().getName() + "-" + pod));
                } else {
                    assertThat(words.get(1)).as(line).isEqualTo("pod");
                    podOf(line, words.get(2), sets);
                }
            }
            case "exec" -> {
                StatefulSet set = podOf(line, words.get(1), sets);
                List<String> inPod = words.subList(words.indexOf("--") + 1, words.size());
                if (inPod.get(0).equals("java")) { // java -jar /app/synod.jar ARGS: the launcher
                    assertThat(inPod.subList(0, 3)).as(line).containsExactly("java", "-jar", "/app/synod.jar");
                    ParseResult command = new CommandLine(new SynodMain())
                            .parseArgs(inPod.subList(3, inPod.size()).toArray(String[]::new));
                    while (command.hasSubcommand()) { // admin remove-server: a nested subcommand
                        command = command.subcommand();
                    }
                    assertThat(command.unmatched())
                            .as("unmatched arguments in '%s'", line)
                            .isEmpty();
                    if (command.hasMatchedOption("--admin-key")) {
                        Object keyValue = command.matchedOption("--admin-key").getValue();
                        String key = keyValue.toString();
                        Container container = set.getSpec()
                                .getTemplate()
                                .getSpec()
                                .getContainers()
                                .get(0);
                        assertThat(container.getVolumeMounts())
                                .as("'%s': the key file is mounted", line)
                                .anyMatch(m -> key.startsWith(m.getMountPath()));
                    }
                } else {
                    assertThat(inPod.get(0)).as(line).isEqualTo("curl");
                    URI url = URI.create(
                            inPod.get(inPod.size() - 1).startsWith("http")
                                    ? inPod.get(inPod.size() - 1)
                                    : "http://" + inPod.get(inPod.size() - 1));
                    assertThat(set.getSpec()
                                    .getTemplate()
                                    .getSpec()
                                    .getContainers()
                                    .get(0)
                                    .getPorts())
                            .as("'%s': a port of the pod", line)
                            .anyMatch(p -> p.getContainerPort() == url.getPort());
                }
            }
            default -> throw new AssertionError("a kubectl verb this check does not know: '" + line + "'");
        }
    }

    /** The StatefulSet whose pod {@code pod} ({@code <set>-<ordinal>}) is, at or above its first ordinal. */
    private static StatefulSet podOf(String line, String pod, Map<String, StatefulSet> sets) {
        int dash = pod.lastIndexOf('-');
        assertThat(dash).as("'%s': a pod name <set>-<ordinal>", line).isPositive();
        StatefulSet set = sets.get(pod.substring(0, dash));
        assertThat(set).as("'%s': %s is a StatefulSet's pod", line, pod).isNotNull();
        int first = set.getSpec().getOrdinals() == null
                ? 0
                : set.getSpec().getOrdinals().getStart();
        assertThat(Integer.parseInt(pod.substring(dash + 1)))
                .as("'%s': an ordinal of %s", line, pod)
                .isGreaterThanOrEqualTo(first);
        return set;
    }

    // ------------------------------------------------------------------ deploy/k8s

    /** One workload's pod template, with the command of its one container. */
    private record Workload(String name, PodTemplateSpec template, Container container, Command command) {}

    /** Every resource of deploy/k8s, read into the Kubernetes model; a field the model does not know fails. */
    private static List<HasMetadata> manifests() throws IOException {
        List<HasMetadata> resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(root().resolve("deploy/k8s"))) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs =
                        YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
                    while (docs.hasNext()) {
                        JsonNode doc = docs.next();
                        if (doc == null || doc.isEmpty()) {
                            continue;
                        }
                        Class<? extends HasMetadata> type =
                                switch (doc.get("kind").asString()) {
                                    case "Deployment" -> Deployment.class;
                                    case "StatefulSet" -> StatefulSet.class;
                                    case "Service" -> Service.class;
                                    default -> throw new AssertionError(file + ": unexpected kind " + doc.get("kind"));
                                };
                        HasMetadata resource = YAML.treeToValue(doc, type);
                        JsonNode back = YAML.valueToTree(resource); // a field the model does not know is lost
                        assertThat(flatten(back, "", new java.util.TreeMap<>()))
                                .as("%s: every field is one of the Kubernetes model", file)
                                .containsAllEntriesOf(flatten(doc, "", new java.util.TreeMap<>()));
                        resources.add(resource);
                    }
                }
            }
        }
        return resources;
    }

    @Test
    void theKubernetesManifestsMatchTheLauncher() throws IOException {
        List<HasMetadata> resources = manifests();
        Map<String, Service> services = new HashMap<>();
        List<Workload> workloads = new ArrayList<>();
        StatefulSet servers = null;
        for (HasMetadata resource : resources) {
            switch (resource) {
                case Service service -> services.put(service.getMetadata().getName(), service);
                case Deployment deployment ->
                    workloads.add(workload(
                            deployment.getMetadata().getName(),
                            deployment.getSpec().getTemplate(),
                            null));
                case StatefulSet set -> {
                    servers = set;
                    String pod = set.getMetadata().getName() + "-"
                            + set.getSpec().getOrdinals().getStart();
                    workloads.add(
                            workload(set.getMetadata().getName(), set.getSpec().getTemplate(), pod));
                }
                default -> throw new AssertionError("unexpected " + resource);
            }
        }
        assertThat(servers).as("the servers' StatefulSet").isNotNull();
        Map<String, Long> kinds = new HashMap<>();
        workloads.forEach(w -> kinds.merge(w.command().subcommand(), 1L, Long::sum));
        assertThat(kinds)
                .containsEntry("server", 1L)
                .containsEntry("reference", 1L)
                .containsEntry("web", 1L);
        assertThat(kinds.get("broker")).isGreaterThanOrEqualTo(2);
        assertThat(kinds.get("proxy")).isGreaterThanOrEqualTo(2);

        for (Workload workload : workloads) {
            checkContainer(workload, services, workloads);
        }
        checkServers(servers, services, workloads);
        for (Service service : services.values()) { // each Service selects one workload and names its ports
            List<Workload> selected = workloads.stream()
                    .filter(w -> w.template()
                            .getMetadata()
                            .getLabels()
                            .entrySet()
                            .containsAll(service.getSpec().getSelector().entrySet()))
                    .toList();
            assertThat(selected)
                    .as("service %s selects one workload", service.getMetadata().getName())
                    .hasSize(1);
            Set<String> portNames = new LinkedHashSet<>();
            selected.get(0).container().getPorts().forEach(p -> portNames.add(p.getName()));
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(portNames)
                        .as("service %s port %s", service.getMetadata().getName(), port.getName())
                        .contains(port.getTargetPort().getStrVal());
            }
        }
    }

    /** Every leaf of {@code node} as {@code path -> text}: comparable whatever the number types and key order. */
    private static Map<String, String> flatten(JsonNode node, String path, Map<String, String> into) {
        if (node.isObject()) {
            node.properties().forEach(e -> flatten(e.getValue(), path + "/" + e.getKey(), into));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(node.get(i), path + "[" + i + "]", into);
            }
        } else {
            into.put(path, node.asString());
        }
        return into;
    }

    private static Workload workload(String name, PodTemplateSpec template, String podName) {
        assertThat(template.getSpec().getContainers())
                .as("%s: one container", name)
                .hasSize(1);
        Container container = template.getSpec().getContainers().get(0);
        assertThat(container.getCommand())
                .as("%s: the image's entrypoint runs the launcher", name)
                .isNullOrEmpty();
        Set<String> defined = new LinkedHashSet<>();
        if (container.getEnv() != null) {
            container.getEnv().stream().map(EnvVar::getName).forEach(defined::add);
        }
        List<String> args = new ArrayList<>();
        for (String arg : container.getArgs()) {
            Matcher variable = K8S_VARIABLE.matcher(arg);
            StringBuilder expanded = new StringBuilder();
            while (variable.find()) {
                assertThat(defined).as("%s uses $(%s)", name, variable.group(1)).contains(variable.group(1));
                assertThat(variable.group(1))
                        .as("the one variable a pod's args use")
                        .isEqualTo("POD_NAME");
                variable.appendReplacement(expanded, podName);
            }
            variable.appendTail(expanded);
            args.add(expanded.toString());
        }
        for (String variable : defined) {
            boolean used = container.getArgs().stream().anyMatch(a -> a.contains("$(" + variable + ")"));
            assertThat(used || JVM_VARIABLES.contains(variable))
                    .as("%s sets %s", name, variable)
                    .isTrue();
        }
        return new Workload(name, template, container, parse(args));
    }

    private static void checkContainer(Workload workload, Map<String, Service> services, List<Workload> workloads) {
        String name = workload.name();
        Command command = workload.command();
        Set<Integer> bound = boundPorts(command);
        Map<String, Integer> ports = new HashMap<>();
        for (ContainerPort port : workload.container().getPorts()) {
            assertThat(bound).as("%s declares port %s", name, port.getName()).contains(port.getContainerPort());
            ports.put(port.getName(), port.getContainerPort());
        }
        InetSocketAddress admin = adminAddress(command);
        assertThat(admin.getHostString()).as("%s admin host", name).isEqualTo("0.0.0.0");
        Probe readiness = workload.container().getReadinessProbe();
        Probe liveness = workload.container().getLivenessProbe();
        assertThat(readiness).as("%s readiness probe", name).isNotNull();
        assertThat(liveness).as("%s liveness probe", name).isNotNull();
        assertThat(readiness.getHttpGet().getPath())
                .as("%s is ready when healthy", name)
                .isEqualTo("/health");
        for (Probe probe : Stream.of(readiness, liveness, workload.container().getStartupProbe())
                .filter(p -> p != null)
                .toList()) {
            HTTPGetAction get = probe.getHttpGet();
            assertThat(PROBE_PATHS).as("%s probe path", name).contains(get.getPath());
            int port = get.getPort().getStrVal() != null
                    ? ports.get(get.getPort().getStrVal())
                    : get.getPort().getIntVal();
            assertThat(port).as("%s probes its admin port", name).isEqualTo(admin.getPort());
        }
        for (String[] ref : references(command)) { // tcp://SERVICE:PORT, or tcp://POD.HEADLESS:PORT
            String host = ref[0];
            int port = Integer.parseInt(ref[1]);
            String serviceName = host.contains(".") ? host.substring(host.indexOf('.') + 1) : host;
            Service service = services.get(serviceName);
            assertThat(service)
                    .as("%s connects to %s: no such service", name, host)
                    .isNotNull();
            ServicePort servicePort = service.getSpec().getPorts().stream()
                    .filter(p -> p.getPort() == port)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(name + " connects to " + host + ":" + port
                            + ", a port service " + serviceName + " does not have"));
            Workload target = workloads.stream()
                    .filter(w -> w.template()
                            .getMetadata()
                            .getLabels()
                            .entrySet()
                            .containsAll(service.getSpec().getSelector().entrySet()))
                    .findFirst()
                    .orElseThrow();
            int containerPort = target.container().getPorts().stream()
                    .filter(p -> p.getName().equals(servicePort.getTargetPort().getStrVal()))
                    .findFirst()
                    .orElseThrow()
                    .getContainerPort();
            assertThat(boundPorts(target.command()))
                    .as("%s connects to %s:%d", name, host, port)
                    .contains(containerPort);
        }
        if (command.has("--admin-key")) {
            Path key = Path.of(command.last("--admin-key"));
            assertThat(workload.container().getVolumeMounts().stream().map(VolumeMount::getMountPath))
                    .as("%s mounts its admin key", name)
                    .contains(key.getParent().toString());
        }
    }

    private static void checkServers(StatefulSet set, Map<String, Service> services, List<Workload> workloads) {
        Workload servers = workloads.stream()
                .filter(w -> w.command().subcommand().equals("server"))
                .findFirst()
                .orElseThrow();
        Service headless = services.get(set.getSpec().getServiceName());
        assertThat(headless).as("the headless service of the StatefulSet").isNotNull();
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses())
                .as("peers find each other before ready")
                .isTrue();
        int start = set.getSpec().getOrdinals().getStart();
        assertThat(start).as("a server's node id is its name's number, >= 1").isGreaterThanOrEqualTo(1);
        Map<String, String> members = initialMembers(servers.command());
        List<String> pods = new ArrayList<>();
        for (int i = start; i < start + set.getSpec().getReplicas(); i++) {
            pods.add(set.getMetadata().getName() + "-" + i);
        }
        assertThat(members.keySet()).as("the genesis is the StatefulSet's pods").containsExactlyElementsOf(pods);
        members.forEach((pod, endpoint) -> assertThat(endpoint)
                .startsWith("tcp://" + pod + "." + headless.getMetadata().getName() + ":"));
        assertThat(servers.command().has("--join-unless-member"))
                .as("pods added by scaling join")
                .isTrue();
        String dataDir = servers.command().last("--data-dir");
        assertThat(set.getSpec().getVolumeClaimTemplates()).hasSize(1);
        String claim =
                set.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
        assertThat(servers.container().getVolumeMounts())
                .as("the data directory is on the pod's own claim")
                .anyMatch(m -> m.getName().equals(claim) && dataDir.startsWith(m.getMountPath()));
    }
}
