#!/usr/bin/env bash
# Installs the peers that the integration tests drive, under <repo>/.tools
# (gitignored). Idempotent and quiet on success; safe to run on every CI run.
#
#   .tools/moto        Python venv with moto's server (Cognito IDP mock), used by
#                      the cognito-flows-testkit crate (bin/moto_server).
#   .tools/clients/js  node_modules of emulator/clients/js (npm ci of its package-lock.json):
#                      amazon-cognito-identity-js, the AWS SDK v3, aws-jwt-verify.
#   .tools/clients/amplify  node_modules of emulator/clients/amplify: aws-amplify (Amplify JS v6).
#   .tools/clients/py  Python venv of emulator/clients/python/requirements.txt (pinned with
#                      hashes): boto3, pycognito.
#   chromium, chromedriver  Debian's chromium and chromium-driver (apt), for the emulator's
#                      hosted-UI browser test (emulator/tests/browser.rs).
#   faketime, procps,  Debian packages for the CLI's tests (adapters/cli/tests): libfaketime moves
#   dbus-daemon,       a `cognito token` process's clock past its tokens' expiry; `ps` shows that
#   gnome-keyring      no secret is on a command line; a private session bus with gnome-keyring is
#                      the OS keyring (Secret Service) the saved session goes to.
# Each is (re)installed only when its pinned versions are not the ones installed.
set -euo pipefail

# Pinned peer versions. Bump deliberately: the testkit's smoke tests
# (testkit/tests/moto_smoke.rs) assert moto's quirks for this exact version.
MOTO_VERSION="5.2.5"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$repo/.tools"
mkdir -p "$tools"

# --- Debian packages: the CLI's tests, and headless Chromium with its WebDriver -----------
# One apt-get run for everything missing.
missing=()
ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 || missing+=(faketime)
command -v ps >/dev/null || missing+=(procps)
command -v dbus-daemon >/dev/null || missing+=(dbus-daemon)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v chromedriver >/dev/null 2>&1; then
    echo "setup-peers: chromium-driver did not install (the browser test needs it)" >&2
    exit 1
fi

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

# --- the real clients that scripts/test-clients runs against the emulator -----------------
# Each install is stamped with the hash of its lock file and skipped while the stamp matches.
clients="$repo/emulator/clients"
lock_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }

# npm ci of emulator/clients/$1's package-lock.json into .tools/clients/$1.
npm_install() {
    local name="$1"
    local dir="$tools/clients/$name"
    local lock
    lock="$(lock_hash "$clients/$name/package.json" "$clients/$name/package-lock.json")"
    if [[ "$(cat "$dir/.installed" 2>/dev/null)" != "$lock" ]]; then
        rm -rf "$dir"
        mkdir -p "$dir"
        cp "$clients/$name/package.json" "$clients/$name/package-lock.json" "$dir/"
        (cd "$dir" && npm ci --no-audit --no-fund --silent)
        echo "$lock" >"$dir/.installed"
    fi
}
npm_install js
# Amplify JS v6 in a tree of its own: it brings its own AWS SDK v3 packages (about 110 MB), and
# the JS suites keep the versions they pin.
npm_install amplify

py_dir="$tools/clients/py"
py_lock="$(lock_hash "$clients/python/requirements.txt")"
if [[ "$(cat "$py_dir/.installed" 2>/dev/null)" != "$py_lock" ]] \
    || [[ ! -x "$py_dir/bin/python" ]]; then
    rm -rf "$py_dir"
    "$python" -m venv "$py_dir"
    "$py_dir/bin/python" -m pip install --quiet --disable-pip-version-check \
        --require-hashes -r "$clients/python/requirements.txt"
    echo "$py_lock" >"$py_dir/.installed"
fi

# moto's own Cognito test suite (tests/test_cognitoidp of moto's source release, the same moto
# version as above), run in moto's server mode against the emulator by scripts/test-clients
# (emulator/clients/python/run_moto_suite.py). Its venv has moto (the suite imports it), pytest
# and the suite's own imports, pinned in emulator/clients/python/moto-suite.txt.
moto_suite="$tools/clients/moto-suite"
moto_suite_lock="$(lock_hash "$clients/python/moto-suite.txt"; echo "$MOTO_VERSION")"
if [[ "$(cat "$moto_suite/.installed" 2>/dev/null)" != "$moto_suite_lock" ]] \
    || [[ ! -x "$moto_suite/bin/python" ]]; then
    rm -rf "$moto_suite"
    "$python" -m venv "$moto_suite"
    "$moto_suite/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION" -r "$clients/python/moto-suite.txt"
    source_release="$(mktemp -d)"
    "$moto_suite/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --no-binary :all: --dest "$source_release" "moto==$MOTO_VERSION"
    mkdir -p "$moto_suite/tests"
    tar -xzf "$source_release/moto-$MOTO_VERSION.tar.gz" -C "$moto_suite/tests" --strip-components=2 \
        "moto-$MOTO_VERSION/tests/__init__.py" "moto-$MOTO_VERSION/tests/conftest.py" \
        "moto-$MOTO_VERSION/tests/markers.py" "moto-$MOTO_VERSION/tests/test_cognitoidp"
    rm -rf "$source_release"
    echo "$moto_suite_lock" >"$moto_suite/.installed"
fi
