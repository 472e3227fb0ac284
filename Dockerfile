# One image for every Synod process; the compose file picks the subcommand.
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
COPY messaging messaging
COPY server server
COPY client client
COPY bench bench
COPY cli cli
COPY system-tests/pom.xml system-tests/pom.xml
COPY architecture-tests/pom.xml architecture-tests/pom.xml
RUN ./mvnw -B -q -ntp -DskipTests package -pl cli -am

# Runtime stage: a JRE and the one shaded jar.
FROM eclipse-temurin:21-jre
RUN useradd --system --home /data synod && mkdir -p /data && chown synod /data
COPY --from=build /src/cli/target/synod.jar /app/synod.jar
USER synod
WORKDIR /data
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "-jar", "/app/synod.jar"]
CMD ["help"]
