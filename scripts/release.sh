#!/usr/bin/env bash
# release.sh builds the release archives (make release): for each platform a static binary
# (CGO_ENABLED=0, -trimpath, the version through -ldflags) packed with LICENSE, NOTICE and
# README.md into dist/irsa-audit_<version>_<os>_<arch>.tar.gz, and dist/checksums.txt
# (sha256sum format) over the archives. The archives are reproducible: entries sorted, owner 0,
# mtime of the commit (SOURCE_DATE_EPOCH), gzip without a timestamp.
#
#   VERSION=v0.1.0 PLATFORMS="linux/amd64 darwin/arm64" DIST=dist bash scripts/release.sh
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
VERSION=${VERSION:-$(bash scripts/version.sh)}
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}
DIST=${DIST:-dist}
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

mkdir -p "$DIST"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
archives=()
for p in $PLATFORMS; do
  os=${p%/*} arch=${p#*/}
  name="irsa-audit_${VERSION}_${os}_${arch}"
  mkdir -p "$stage/$name"
  echo "release: $name" >&2
  CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build -trimpath -ldflags "-s -w -X main.version=$VERSION" \
    -o "$stage/$name/irsa-audit" ./cmd/irsa-audit
  cp LICENSE NOTICE README.md "$stage/$name/"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$SOURCE_DATE_EPOCH" \
    -C "$stage" -cf - "$name" | gzip -n -9 > "$DIST/$name.tar.gz"
  archives+=("$name.tar.gz")
done
(cd "$DIST" && sha256sum "${archives[@]}" > checksums.txt)
echo "release: $VERSION in $DIST" >&2
