#!/usr/bin/env bash
# Packs kubectl keyferry for Krew from the built jar: operator/target/krew/kubectl-keyferry.tar.gz (the
# launchers, kubectl-keyferry and the keyferry it runs, and keyferry.jar, side by side; Krew unpacks them all) and
# operator/target/krew/keyferry.yaml, the manifest .krew.yaml with the version, the release URI and the archive's
# sha256 filled in.
#
#   mvn -B -q package -DskipTests && scripts/krew-package.sh [TAG]      # TAG: v0.1.0 by default (the pom's)
#   kubectl krew install --manifest=operator/target/krew/keyferry.yaml --archive=operator/target/krew/kubectl-keyferry.tar.gz
#
# The archive is reproducible (sorted names, fixed times and owners), so its sha256 is the jar's and the launcher's.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=operator/target/keyferry.jar
if [[ ! -f $jar ]]; then
  echo "krew-package.sh: $jar is missing; build it first: mvn -B -q package -DskipTests" >&2
  exit 2
fi
version=$(sed -n 's#^  <version>\(.*\)</version>#\1#p' pom.xml | head -1)
tag=${1:-v${version%-SNAPSHOT}}
out=operator/target/krew
rm -rf "$out"
mkdir -p "$out/staging"
cp scripts/kubectl-keyferry scripts/keyferry "$jar" "$out/staging/"
chmod 755 "$out/staging/kubectl-keyferry" "$out/staging/keyferry"
chmod 644 "$out/staging/keyferry.jar"
tar -C "$out/staging" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - keyferry kubectl-keyferry keyferry.jar \
  | gzip -n > "$out/kubectl-keyferry.tar.gz"
rm -rf "$out/staging"
sha=$(sha256sum "$out/kubectl-keyferry.tar.gz" | cut -d' ' -f1)
uri="https://github.com/keyferry/keyferry/releases/download/$tag/kubectl-keyferry.tar.gz"
# The krew-release-bot template: {{addURIAndSha "URI" .TagName}} becomes uri and sha256, {{ .TagName }} the tag.
awk -v uri="$uri" -v sha="$sha" -v tag="$tag" '
  /\{\{addURIAndSha / { indent = $0; sub(/[^ ].*/, "", indent); print indent "uri: " uri; print indent "sha256: " sha; next }
  { gsub(/\{\{ \.TagName \}\}/, tag); print }
' .krew.yaml > "$out/keyferry.yaml"
echo "$out/kubectl-keyferry.tar.gz  sha256 $sha"
echo "$out/keyferry.yaml  version $tag"
