# syntax=docker/dockerfile:1
# The KeyFerry image: one jar, three entry points (keyferry operator | worker | run).
#   docker build -t ghcr.io/keyferry/keyferry:0.1.0 .
#   docker run --rm ghcr.io/keyferry/keyferry:0.1.0 --help
# The operator starts worker pods from the same image (--worker-image), so one image is all a cluster needs.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY operator/pom.xml operator/
# Dependencies first, so a source change does not download them again.
RUN mvn -B -q -pl operator -am dependency:go-offline || true
COPY operator/src operator/src
COPY crds crds
RUN mvn -B -q -pl operator -am package -DskipTests

FROM eclipse-temurin:17-jre
# A fixed non-root user (the Helm chart and worker pods run as 65532 with a read-only root filesystem).
RUN groupadd --system --gid 65532 keyferry \
 && useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin keyferry
COPY --from=build /src/operator/target/keyferry.jar /opt/keyferry/keyferry.jar
# The launcher: the JVM options KeyFerry is measured with (KEYFERRY_JAVA_OPTS replaces them), then the jar.
COPY --chmod=755 scripts/keyferry /usr/local/bin/keyferry
ENV KEYFERRY_JAR=/opt/keyferry/keyferry.jar
# The class-data archive every run maps (keyferry.jsa beside the jar): the launcher makes it where it can write, which
# the image's user cannot, so it is made once here.
RUN keyferry --version >/dev/null && test -s /opt/keyferry/keyferry.jsa
USER 65532:65532
# Memory follows the container limit; workers also get JAVA_TOOL_OPTIONS from their Job.
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["keyferry"]
CMD ["--help"]
