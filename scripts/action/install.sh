#!/usr/bin/env bash
# The GitHub Action's install step (action.yml): puts irsa-audit in $RUNNER_TEMP/irsa-audit, on
# the PATH of the following steps, and says where in the step output "path".
#   INPUT_VERSION=source   build the action's own checkout ($ACTION_PATH) with Go
#   INPUT_VERSION=vX.Y.Z   download the release archive for this runner from
#                          $GITHUB_SERVER_URL/$ACTION_REPOSITORY/releases/download/vX.Y.Z/ and
#                          verify it against the release's checksums.txt
# Tested by action_test.go with a fake runner environment and a release served on loopback.
set -euo pipefail
dest="${RUNNER_TEMP:?}/irsa-audit"
mkdir -p "$dest"
version="${INPUT_VERSION:-source}"

if [ "$version" = source ]; then
  v=$(bash "$ACTION_PATH/scripts/version.sh")
  (cd "$ACTION_PATH" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$v" -o "$dest/irsa-audit" ./cmd/irsa-audit)
else
  case "${RUNNER_OS:-Linux}" in
    Linux) os=linux ;;
    macOS) os=darwin ;;
    *) echo "::error::irsa-audit releases have no build for $RUNNER_OS; use version: source" >&2; exit 1 ;;
  esac
  case "${RUNNER_ARCH:-X64}" in
    X64) arch=amd64 ;;
    ARM64) arch=arm64 ;;
    *) echo "::error::irsa-audit releases have no build for $RUNNER_ARCH" >&2; exit 1 ;;
  esac
  name="irsa-audit_${version}_${os}_${arch}"
  base="${GITHUB_SERVER_URL:-https://github.com}/${ACTION_REPOSITORY:?}/releases/download/$version"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  curl -fsSL --retry 3 -o "$tmp/checksums.txt" "$base/checksums.txt"
  curl -fsSL --retry 3 -o "$tmp/$name.tar.gz" "$base/$name.tar.gz"
  grep -E "^[0-9a-f]{64}  $name\.tar\.gz\$" "$tmp/checksums.txt" > "$tmp/want.txt" ||
    { echo "::error::checksums.txt of $version has no entry for $name.tar.gz" >&2; exit 1; }
  (cd "$tmp" && sha256sum --quiet -c want.txt) ||
    { echo "::error::$name.tar.gz does not match the release's checksums.txt" >&2; exit 1; }
  tar -xzf "$tmp/$name.tar.gz" -C "$tmp"
  install -m 0755 "$tmp/$name/irsa-audit" "$dest/irsa-audit"
fi
"$dest/irsa-audit" version
echo "$dest" >> "${GITHUB_PATH:?}"
echo "path=$dest/irsa-audit" >> "${GITHUB_OUTPUT:?}"
