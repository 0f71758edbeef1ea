#!/usr/bin/env bash
# Installs the peers that the integration tests drive, under <repo>/.tools
# (gitignored). Idempotent and quiet on success; safe to run on every CI run.
#
#   .tools/moto   Python venv with moto's server (Cognito IDP mock), used by
#                 the cognito-flows-testkit crate (bin/moto_server).
set -euo pipefail

# Pinned peer versions. Bump deliberately: the testkit's smoke tests
# (testkit/tests/moto_smoke.rs) assert moto's quirks for this exact version.
MOTO_VERSION="5.2.5"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/.tools"
mkdir -p "$tools"

# --- moto (PyPI) -------------------------------------------------------------
moto_venv="$tools/moto"
python="${PYTHON:-python3}"

moto_installed_version() {
    "$moto_venv/bin/python" - <<'PY' 2>/dev/null || true
from importlib.metadata import version
print(version("moto"))
PY
}

if [[ ! -x "$moto_venv/bin/moto_server" ]] \
    || [[ "$(moto_installed_version)" != "$MOTO_VERSION" ]]; then
    if [[ ! -x "$moto_venv/bin/python" ]]; then
        "$python" -m venv "$moto_venv"
    fi
    "$moto_venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION"
    if [[ "$(moto_installed_version)" != "$MOTO_VERSION" ]]; then
        echo "setup-peers: moto $MOTO_VERSION did not install into $moto_venv" >&2
        exit 1
    fi
fi

# --- npm peers -----------------------------------------------------------------
# (placeholder) npm packages used by the adapter tests will be installed here,
# under "$tools/npm", with the same "skip if the pinned version is present"
# pattern as above.
