#!/usr/bin/env bash
# Creates python-runner/.venv with the runner and its test dependencies, for `npm test` and CI.
# Every version comes from python-runner/constraints.txt, so a fresh machine gets the stack the
# tests were run against, not whatever PyPI serves that day (upgrading is a deliberate edit of that
# file; python-runner/README.md says how). Idempotent: a stamp holding the hash of pyproject.toml,
# the constraints and this script makes a rerun a no-op until one of them changes. Extra pip
# arguments (a mirror, a CPU-only torch index) come from DISTILLERY_PIP_ARGS; set DISTILLERY_QLORA=1 to install the bitsandbytes extra as well.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runner="$root/python-runner"
venv="$runner/.venv"
stamp="$venv/.distillery-stamp"
constraints="$runner/constraints.txt"
python="${PYTHON:-python3}"

# Ray is in the test extras because the scheduler tests start a real Ray head (docs/schedulers.md).
extras="test,ray"
if [[ "${DISTILLERY_QLORA:-0}" == "1" ]]; then extras="test,ray,qlora"; fi

want="$(cat "$runner/pyproject.toml" "$constraints" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)-$extras"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "python-runner/.venv is up to date"
  exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
# The stamp goes only after a complete install, so an interrupted one is redone.
rm -f "$stamp"
"$venv/bin/python" -m pip install --quiet "pip==26.3"
# shellcheck disable=SC2086
"$venv/bin/python" -m pip install --quiet ${DISTILLERY_PIP_ARGS:-} -c "$constraints" -e "$runner[$extras]"
"$venv/bin/python" -c "import distillery_runner, torch, transformers, peft" >/dev/null
echo "$want" > "$stamp"
echo "python-runner/.venv ready"
