# One image for every Synod process; docker-compose.yml and deploy/k8s pick the subcommand
# (their command lines are checked against the launcher by cli's DeploymentFilesTest).
# Build stage: the Maven Wrapper with a JDK 21 (the toolchains plugin finds it as JAVA_HOME).
FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY config config
COPY protocol protocol
COPY clock clock
COPY core core
COPY consensus consensus
COPY registry registry
COPY simulation simulation
COPY store store
COPY search search
COPY messaging messaging
COPY server server
COPY client client
COPY bench bench
COPY web web
COPY cli cli
COPY system-tests/pom.xml system-tests/pom.xml
COPY architecture-tests/pom.xml architecture-tests/pom.xml
RUN ./mvnw -B -q -ntp -DskipTests package -pl cli -am

# Runtime stage: a JRE, curl for the healthchecks (GET /health on the admin port), the one shaded jar.
FROM eclipse-temurin:21-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 synod && useradd --system --uid 10001 --gid 10001 --home /data synod \
    && mkdir -p /data && chown synod:synod /data
COPY --from=build /src/cli/target/synod.jar /app/synod.jar
USER synod
WORKDIR /data
# The admin endpoint's port in every container (each process is given --admin-bind 0.0.0.0:8081).
EXPOSE 8081
# The launcher's flags, as ./synod gives them: the Java heap in 2 MiB pages where the host's kernel offers
# transparent huge pages (docs/performance.md), then SYNOD_JAVA_OPTS (a later flag wins), then the command.
ENTRYPOINT ["sh", "-c", "exec java --enable-native-access=ALL-UNNAMED $(grep -Eqs '\\[(always|madvise)\\]' /sys/kernel/mm/transparent_hugepage/enabled && echo -XX:+UseTransparentHugePages) ${SYNOD_JAVA_OPTS:-} -jar /app/synod.jar \"$@\"", "synod"]
CMD ["help"]
