#!/usr/bin/env bash
# version.sh prints the version string of a build of this checkout, the same one the binary
# computes from Go's build information when it is built without -ldflags (cmd/irsa-audit
# version.go): the release tag (vX.Y.Z) on a tagged commit with a clean work tree, else
# "devel-<first 12 hex digits of the commit>", with "-dirty" when the work tree has changes
# (untracked files included, as Go counts them), else "devel" outside a git checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! rev=$(git rev-parse HEAD 2>/dev/null); then
  echo devel
  exit 0
fi
dirty=$(git status --porcelain 2>/dev/null | head -n 1)
if [ -z "$dirty" ] && tag=$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null); then
  echo "$tag"
  exit 0
fi
echo "devel-${rev:0:12}${dirty:+-dirty}"
