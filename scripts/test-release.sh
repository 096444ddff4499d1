#!/usr/bin/env bash
# test-release.sh checks `make release` from a fresh clone of the committed HEAD:
#   - checksums.txt verifies every archive, and each holds exactly irsa-audit, LICENSE, NOTICE
#     and README.md;
#   - every binary is built for its platform with CGO_ENABLED=0 and -trimpath (go version -m)
#     and holds the version string, and the linux one of this machine's architecture is static (no ELF
#     interpreter) and prints that version;
#   - the version agrees with scripts/version.sh, with `make build`, and with a plain
#     `go build` that has only Go's VCS stamping (the debug.ReadBuildInfo fallback).
#
#   RELEASE_PLATFORMS="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64" bash scripts/test-release.sh
# (default: linux/<this machine's arch> only, so that make test does not cross-compile four
# times; run the full set before tagging a release).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
hostarch=$("$GO" env GOARCH)
PLATFORMS=${RELEASE_PLATFORMS:-linux/$hostarch}
fail() { echo "test-release: FAIL: $*" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q --no-checkout . "$tmp/src"
git -C "$tmp/src" -c advice.detachedHead=false checkout -q "$(git rev-parse HEAD)"
cd "$tmp/src"

want=$(bash scripts/version.sh)
case $want in
  v[0-9]* | devel-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]) ;;
  *) fail "scripts/version.sh printed $want on a clean clone" ;;
esac

make -s release PLATFORMS="$PLATFORMS" DIST="$tmp/dist" >/dev/null
(cd "$tmp/dist" && sha256sum --quiet -c checksums.txt) || fail "checksums.txt does not verify"
n=0
for p in $PLATFORMS; do
  os=${p%/*} arch=${p#*/}
  name="irsa-audit_${want}_${os}_${arch}"
  a="$tmp/dist/$name.tar.gz"
  [ -f "$a" ] || fail "no archive $name.tar.gz"
  grep -q "  $name.tar.gz\$" "$tmp/dist/checksums.txt" || fail "$name.tar.gz is not in checksums.txt"
  got=$(tar -tzf "$a" | sort | tr '\n' ' ')
  [ "$got" = "$name/ $name/LICENSE $name/NOTICE $name/README.md $name/irsa-audit " ] || fail "$name.tar.gz holds: $got"
  tar -xzf "$a" -C "$tmp/dist"
  bin="$tmp/dist/$name/irsa-audit"
  info=$("$GO" version -m "$bin")
  for want_line in "GOOS=$os" "GOARCH=$arch" "CGO_ENABLED=0" "-trimpath=true"; do
    grep -qF -- "$want_line" <<<"$info" || fail "$name: go version -m lacks $want_line"
  done
  # Go leaves -ldflags out of the build information under -trimpath: look for the string.
  grep -aqF -- "$want" "$bin" || fail "$name does not contain the version string $want"
  if [ "$os" = linux ] && [ "$arch" = "$hostarch" ]; then
    if readelf -lW "$bin" | grep -q INTERP; then fail "$name is dynamically linked"; fi
    [ "$("$bin" version)" = "irsa-audit $want" ] || fail "$name version: $("$bin" version)"
    [ "$("$bin" --version)" = "irsa-audit version $want" ] || fail "$name --version: $("$bin" --version)"
    n=$((n + 1))
  fi
done
[ "$n" = 1 ] || echo "test-release: note: no linux/$hostarch binary in PLATFORMS, none was run" >&2

make -s build >/dev/null
[ "$(bin/irsa-audit version)" = "irsa-audit $want" ] || fail "make build: $(bin/irsa-audit version)"
# A plain go build, no -ldflags: the version comes from Go's VCS stamping (which this machine's
# GOFLAGS may turn off, hence -buildvcs=true).
"$GO" build -buildvcs=true -o "$tmp/plain" ./cmd/irsa-audit
[ "$("$tmp/plain" version)" = "irsa-audit $want" ] || fail "go build: $("$tmp/plain" version), want $want"
echo "test-release: ok: $want for $PLATFORMS"
