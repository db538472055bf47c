#!/usr/bin/env bash
# Builds local stand-ins for the two public base images the Dockerfile starts from, for machines
# that cannot pull from a registry (like this project's: no Docker daemon, no registry access):
#
#   docker.io/library/eclipse-temurin:25-jdk   build stage: Debian bookworm + Temurin 25 JDK at
#                                              /opt/java/openjdk (JAVA_HOME, on PATH), with
#                                              ca-certificates, curl, unzip (Maven wrapper) and
#                                              binutils (jlink --strip-debug needs objcopy)
#   docker.io/library/debian:bookworm-slim     run stage: a minimal Debian bookworm (minbase)
#
# Both are debootstrapped from the Debian mirror (apt works here, registries do not) and imported
# with `podman import`; the JDK is this machine's Temurin 25 ($JAVA_HOME). The real images are
# close enough: the real eclipse-temurin:25-jdk is Ubuntu-based with the same JAVA_HOME, and
# debian:bookworm-slim is the same Debian release. Where the real images can be pulled, skip this.
#
# Usage: deploy/build-base-images.sh [--force]     (about 3-5 minutes; needs root, debootstrap, podman)
# Environment: JAVA_HOME (a Temurin 25 JDK; default /usr/lib/jvm/temurin-25-jdk-amd64),
#              DEBIAN_MIRROR (default http://deb.debian.org/debian),
#              KALEIDO_BASE_CACHE (work folder; default /var/tmp/kaleido-base-images),
#              EXTRA_CA_DIR (default /usr/local/share/ca-certificates): this machine's own CA
#              certificates (*.crt), added to the JDK image's system trust store. Where egress goes
#              through a TLS-inspecting proxy (as on this project's machines) the build stage
#              reaches Maven Central only with them; the JDK's cacerts is this JDK's own (the
#              host's Debian-managed Java trust store, which already holds them).
set -euo pipefail

JDK="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
WORK="${KALEIDO_BASE_CACHE:-/var/tmp/kaleido-base-images}"
JDK_IMAGE=docker.io/library/eclipse-temurin:25-jdk
SLIM_IMAGE=docker.io/library/debian:bookworm-slim
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

die() { echo "build-base-images: $*" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || die "needs root (debootstrap)"
command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install -y debootstrap"
command -v podman >/dev/null || die "podman missing: apt-get install -y podman runc"
"$JDK/bin/java" -version 2>&1 | grep -q 'version "25' || die "$JDK is not a Java 25 JDK (set JAVA_HOME)"

have() { podman image exists "$1"; }

# A rootfs from debootstrap, trimmed of what containers never use (docs, man pages, apt lists).
rootfs() {
    local dir="$1"
    shift
    rm -rf "$dir"
    debootstrap --variant=minbase "$@" bookworm "$dir" "$MIRROR" >"$dir.log" 2>&1 \
        || { tail -20 "$dir.log" >&2; die "debootstrap failed (log: $dir.log)"; }
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
        "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/var/log/*.log
    # Like the real slim image: no message translations (33 MB), only locale.alias stays.
    find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
    # The image inherits no host settings.
    printf 'nameserver 1.1.1.1\n' >"$dir/etc/resolv.conf"
    : >"$dir/etc/hostname"
}

mkdir -p "$WORK"

if ((FORCE)) || ! have "$SLIM_IMAGE"; then
    echo "build-base-images: $SLIM_IMAGE (debootstrap minbase) ..."
    rootfs "$WORK/slim"
    tar -C "$WORK/slim" --numeric-owner -c . | podman import \
        --change 'CMD ["bash"]' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        - "$SLIM_IMAGE" >/dev/null
    rm -rf "$WORK/slim"
else
    echo "build-base-images: $SLIM_IMAGE exists (--force rebuilds)"
fi

if ((FORCE)) || ! have "$JDK_IMAGE"; then
    echo "build-base-images: $JDK_IMAGE (debootstrap + Temurin 25 from $JDK) ..."
    rootfs "$WORK/jdk" --include=ca-certificates,curl,unzip,binutils
    mkdir -p "$WORK/jdk/opt/java"
    cp -a "$(readlink -f "$JDK")" "$WORK/jdk/opt/java/openjdk"
    # Debian's Temurin package links cacerts to /etc/ssl/certs/java/cacerts: ship the file itself.
    cp --remove-destination -L "$JDK/lib/security/cacerts" "$WORK/jdk/opt/java/openjdk/lib/security/cacerts"
    if compgen -G "${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}/*.crt" >/dev/null; then
        cp "${EXTRA_CA_DIR:-/usr/local/share/ca-certificates}"/*.crt "$WORK/jdk/usr/local/share/ca-certificates/"
        chroot "$WORK/jdk" update-ca-certificates >/dev/null
    fi
    tar -C "$WORK/jdk" --numeric-owner -c . | podman import \
        --change 'CMD ["jshell"]' \
        --change 'ENV JAVA_HOME=/opt/java/openjdk' \
        --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        - "$JDK_IMAGE" >/dev/null
    rm -rf "$WORK/jdk"
else
    echo "build-base-images: $JDK_IMAGE exists (--force rebuilds)"
fi

podman images --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E 'eclipse-temurin:25-jdk|debian:bookworm-slim'
