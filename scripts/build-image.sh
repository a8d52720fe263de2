#!/usr/bin/env bash
# Builds the KeyFerry image as an OCI tarball without Docker or a registry: a Debian base made with
# debootstrap (openjdk-17-jre-headless), packed as a one-layer docker-save tarball, then Jib on top.
# Needs root (debootstrap) and the Debian mirror; the base is made once (about 2 minutes) and reused.
#
#   sudo scripts/build-image.sh                  # -> operator/target/keyferry-image.tar
#   docker load -i operator/target/keyferry-image.tar    # or: skopeo copy docker-archive:... docker://registry/...
#
# Not run by CI. With Docker at hand, `docker build -t ghcr.io/keyferry/keyferry:0.1.0 .` (the Dockerfile)
# does the same; with a registry, `mvn -B -pl operator -am package -DskipTests && mvn -B -Pimage -f operator/pom.xml jib:build`.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${KEYFERRY_IMAGE_WORK:-/var/tmp/keyferry-image}
base="$work/debian-jre17.tar"
image=${KEYFERRY_IMAGE:-ghcr.io/keyferry/keyferry:0.1.0}

if [ "$(id -u)" != 0 ]; then
  echo "build-image.sh: debootstrap needs root; run it with sudo" >&2
  exit 2
fi
if [ ! -f "$base" ]; then
  command -v debootstrap >/dev/null || (apt-get update -q && apt-get install -y -q debootstrap)
  rm -rf "$work/rootfs" && mkdir -p "$work/rootfs"
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$work/rootfs" http://deb.debian.org/debian
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" --numeric-owner -cf "$work/layer.tar" .
  digest=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$digest"]}}
JSON
  echo '[{"Config":"config.json","RepoTags":["keyferry-base:bookworm-jre17"],"Layers":["layer.tar"]}]' > "$work/manifest.json"
  tar -C "$work" -cf "$base" manifest.json config.json layer.tar
  rm -rf "$work/layer.tar" "$work/rootfs"
fi
mvn -B -q -pl operator -am package -DskipTests
mvn -B -q -Pimage -f operator/pom.xml jib:buildTar \
  -Djib.from.image="tar://$base" -Djib.to.image="$image" \
  -Djib.outputPaths.tar="$PWD/operator/target/keyferry-image.tar"
echo "image $image: operator/target/keyferry-image.tar ($(du -h operator/target/keyferry-image.tar | cut -f1))"
