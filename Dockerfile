# syntax=docker/dockerfile:1
# Kaleidoscope translation server: multi-stage image.
#
#   build stage  Temurin 25 JDK: the Maven wrapper builds the server (tests skipped: CI runs them),
#                jlink makes a Java runtime with only the modules the server uses, and one
#                training run of the server makes a JDK 25 AOT cache (start-up ~40% shorter)
#   run stage    Debian bookworm-slim + that runtime + the server's jars + the AOT cache + one
#                model bundle, as a non-root user (uid 10001)
#
#   podman build --format docker -t localhost/kaleidoscope:latest .    (docker build: BuildKit)
#   podman run --rm -p 5000:5000 --read-only localhost/kaleidoscope:latest
#
# Build arguments:
#   MODEL_DIR      the bundle shipped and served (default models/small-kmatrix, trained on CPU, the
#                  best translator; models/de-en-kmatrix the base one), relative to the context
#   JDK_IMAGE      build stage base (default eclipse-temurin:25-jdk)
#   RUNTIME_IMAGE  run stage base (default debian:bookworm-slim; needs glibc and bash)
#   JLINK_MODULES  modules of the jlinked runtime
# Where registries cannot be reached, deploy/build-base-images.sh builds local stand-ins for both
# base images; deploy/README.md has the podman flags this project's machines need.
#
# Runtime settings are the server's KALEIDO_* variables (see ServerConfig); extra JVM options go in
# JDK_JAVA_OPTIONS (e.g. -Xmx2g). One batching engine thread runs per model by default: scale out
# with more containers (replicas), or set KALEIDO_ENGINES_PER_MODEL=N for N engine threads (each
# with its own copy of the model) and give the container N cores.

ARG JDK_IMAGE=eclipse-temurin:25-jdk
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${JDK_IMAGE} AS build
ARG JLINK_MODULES=java.base,java.logging,java.management,jdk.management,jdk.unsupported,jdk.incubator.vector
ARG MODEL_DIR=models/small-kmatrix
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY model-loader/ model-loader/
COPY server/ server/
COPY loadtest/pom.xml loadtest/
# The local Maven repository is a cache mount: rebuilds after a source change download nothing.
# Only the server and what it needs (model-loader) are built; loadtest's POM is there for the reactor.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl server -am package -DskipTests \
    && mkdir -p /opt/kaleido/lib \
    && cp server/target/libs/*.jar server/target/server-*.jar /opt/kaleido/lib/
# ONNX Runtime's jar carries native libraries for five platforms (41 MB, 147 MB unpacked), and its
# loader copies this platform's two (22 MB) into java.io.tmpdir at every start and loads them from
# there, which needs an executable /tmp. Instead this platform's are unpacked here, once, into
# /opt/kaleido/native, where -Donnxruntime.native.path (ENTRYPOINT) points the loader, and the jar
# keeps none. (The loader still makes an empty directory under /tmp at every start.)
RUN set -e; platform="linux-$(uname -m | sed 's/^x86_64$/x64/')"; mkdir -p /opt/kaleido/native; \
    for jar in /opt/kaleido/lib/onnxruntime-*.jar; do \
        rm -rf /tmp/ort && mkdir /tmp/ort && (cd /tmp/ort && jar xf "$jar"); \
        test -f "/tmp/ort/ai/onnxruntime/native/$platform/libonnxruntime.so"; \
        mv /tmp/ort/ai/onnxruntime/native/"$platform"/* /opt/kaleido/native/; \
        rm -rf /tmp/ort/ai/onnxruntime/native; \
        mv /tmp/ort/META-INF/MANIFEST.MF /tmp/ort.MF; \
        jar --create --file "$jar" --manifest /tmp/ort.MF -C /tmp/ort .; \
        rm -rf /tmp/ort /tmp/ort.MF; \
    done
# JNA, which DJL uses to look for CUDA at start, would likewise copy its dispatch library to /tmp:
# it loads from /opt/kaleido/native too (-Djna.boot.library.path, and -Djna.nounpack=true so that it
# never unpacks; with no CUDA there DJL then finds no GPU, as before).
RUN set -e; platform="linux-$(uname -m | sed 's/_/-/')"; rm -rf /tmp/jna && mkdir /tmp/jna; \
    (cd /tmp/jna && jar xf /opt/kaleido/lib/jna-*.jar "com/sun/jna/$platform/libjnidispatch.so"); \
    mv "/tmp/jna/com/sun/jna/$platform/libjnidispatch.so" /opt/kaleido/native/; rm -rf /tmp/jna
# The classpath as a java @argfile with the jars in a fixed order (a lib/* wildcard expands in
# directory order, and the AOT cache below is only used with the classpath it was made with).
RUN printf -- '-cp %s\n' "$(ls /opt/kaleido/lib/*.jar | sort | paste -sd:)" >/opt/kaleido/classpath.args
# jdeps over the server's jars finds java.base, java.logging, java.management, jdk.unsupported
# (Helidon, sun.misc.Signal) and jdk.incubator.vector (the K-matrix kernel); jdk.management gives
# Micrometer the GC and CPU metrics. The result is ~45 MB against ~300 MB for the whole JDK.
RUN jlink --add-modules "${JLINK_MODULES}" --strip-debug --no-header-files --no-man-pages \
        --compress=zip-6 --output /opt/java/jre
COPY ${MODEL_DIR}/ /opt/kaleido/${MODEL_DIR}/
COPY deploy/container/ready-check.sh /opt/kaleido/bin/ready-check
COPY deploy/container/aot-train.sh /tmp/aot-train
# AOT cache (JDK 25): one training run of the real server (model load, translations, metrics)
# with the runtime, flags and classpath of the ENTRYPOINT below -- keep the two in step -- on a
# random port (a build container may share the host's network).
# DJL (SentencePiece) unpacks its native library into DJL_CACHE_DIR when it is not there yet: this
# run puts it in /opt/kaleido/djl, where the server then finds it, so it writes nothing at start.
RUN KALEIDO_MODELS=/opt/kaleido/${MODEL_DIR} KALEIDO_PORT=$(shuf -i 20000-39999 -n 1) \
    /tmp/aot-train /opt/kaleido/kaleido.aot \
        /opt/java/jre/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
        -Dai.djl.offline=true -Djava.io.tmpdir=/tmp -DDJL_CACHE_DIR=/opt/kaleido/djl \
        -Donnxruntime.native.path=/opt/kaleido/native -Djna.boot.library.path=/opt/kaleido/native \
        -Djna.nounpack=true -XX:MaxRAMPercentage=50 -XX:-UsePerfData @/opt/kaleido/classpath.args \
    && test -n "$(find /opt/kaleido/djl -name '*sentencepiece_native*')"

FROM ${RUNTIME_IMAGE}
ARG MODEL_DIR=models/small-kmatrix
RUN groupadd --gid 10001 kaleido \
    && useradd --uid 10001 --gid kaleido --home-dir /opt/kaleido --no-create-home \
        --shell /usr/sbin/nologin kaleido
COPY --from=build /opt/java/jre /opt/java/jre
# lib/ (server and dependency jars), native/ and djl/ (native libraries), classpath.args, kaleido.aot,
# bin/ready-check, the model
COPY --from=build /opt/kaleido/ /opt/kaleido/
ENV JAVA_HOME=/opt/java/jre \
    PATH=/opt/java/jre/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    KALEIDO_PORT=5000 \
    KALEIDO_MODELS=/opt/kaleido/${MODEL_DIR}
WORKDIR /opt/kaleido
USER 10001:10001
EXPOSE 5000
# /ready answers 200 once every model has loaded and translated a warm-up sentence.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["/opt/kaleido/bin/ready-check"]
# SIGTERM: the server refuses new requests, finishes those in flight and exits 0.
STOPSIGNAL SIGTERM
# The native libraries load from /opt/kaleido (native/, djl/), so /tmp needs to be writable but not
# executable (ONNX Runtime's loader makes an empty directory there): a small noexec tmpfs or
# emptyDir is enough when the root file system is read-only.
# -XX:-UsePerfData: no hsperfdata file in /tmp. -XX:AOTCache: the classes of the training run.
ENTRYPOINT ["java", "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", \
            "-Dai.djl.offline=true", "-Djava.io.tmpdir=/tmp", "-DDJL_CACHE_DIR=/opt/kaleido/djl", \
            "-Donnxruntime.native.path=/opt/kaleido/native", "-Djna.boot.library.path=/opt/kaleido/native", \
            "-Djna.nounpack=true", \
            "-XX:MaxRAMPercentage=50", "-XX:-UsePerfData", "-XX:AOTCache=/opt/kaleido/kaleido.aot", \
            "@/opt/kaleido/classpath.args", "io.kaleidoscope.server.Main"]
