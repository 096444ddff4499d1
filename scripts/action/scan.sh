#!/usr/bin/env bash
# The GitHub Action's scan step (action.yml): runs irsa-audit scan with the action's inputs,
# writes the report, and records the exit code in the step outputs instead of failing, so that
# the SARIF upload still runs; the action's last step fails the job.
set -euo pipefail
bin="${IRSA_AUDIT:-irsa-audit}"
args=(scan --format "${INPUT_FORMAT:-sarif}" -o "${INPUT_OUTPUT:-irsa-audit.sarif}" --fail-on "${INPUT_FAIL_ON:-low}")
[ -n "${INPUT_CATEGORY:-}" ] && args+=(--category "$INPUT_CATEGORY")
[ -n "${INPUT_BASELINE:-}" ] && args+=(--baseline "$INPUT_BASELINE")
read -r -a extra <<<"${INPUT_ARGS:-}"
read -r -a paths <<<"${INPUT_PATHS:-}"
if [ ${#paths[@]} = 0 ] && ! [ -f .irsa-audit.yaml ]; then
  paths=(.)
fi
set +e
"$bin" "${args[@]}" "${extra[@]}" -- "${paths[@]}"
code=$?
set -e
echo "exit-code=$code" >> "${GITHUB_OUTPUT:?}"
if [ -s "${INPUT_OUTPUT:-irsa-audit.sarif}" ]; then
  echo "report=${INPUT_OUTPUT:-irsa-audit.sarif}" >> "$GITHUB_OUTPUT"
fi
if [ "$code" -ge 2 ]; then
  echo "::error::irsa-audit could not read some inputs or was misused (exit $code); see the log above"
fi
exit 0
