#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, only where it is missing:
#   - Debian's Chromium and ChromeDriver (/usr/bin/chromium, /usr/bin/chromedriver) for the
#     real-browser test (crates/testkit/tests/browser.rs); never a browser downloaded by a tool;
#   - axe-core 4 from the npm registry, into $GONGKAI_NPM_PREFIX (default
#     /root/.cache/gongkai-npm), outside the clone so repeated runs reuse it.
# (PostgreSQL is .ci/run's business: it installs and starts it only when nothing answers.)
# Idempotent: a second run installs nothing. `apt-get update` runs only when an install is needed.
# Prints nothing on stdout but the lines it logs; the axe path is
# $GONGKAI_NPM_PREFIX/node_modules/axe-core/axe.min.js.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
NPM_PREFIX="${GONGKAI_NPM_PREFIX:-/root/.cache/gongkai-npm}"
AXE_JS="$NPM_PREFIX/node_modules/axe-core/axe.min.js"

log() { printf '[install-test-tools] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" -eq 0 ]; then
        log "apt-get update"
        # A slow or flaky mirror gets a second chance.
        as_root apt-get update -qq || { sleep 5; as_root apt-get update -qq; }
        apt_updated=1
    fi
    log "apt-get install $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" \
        || { sleep 5; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@"; }
}

# --- Chromium + ChromeDriver (Debian packages only) ---------------------------------------
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: not runnable')"
log "$(/usr/bin/chromedriver --version 2>/dev/null || echo 'chromedriver: not runnable')"

# --- axe-core (npm registry) ---------------------------------------------------------------
if [ ! -f "$AXE_JS" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        apt_install nodejs npm
    fi
    mkdir -p "$NPM_PREFIX"
    log "npm install axe-core@4 --prefix $NPM_PREFIX"
    npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --loglevel=error axe-core@4 \
        || { sleep 5; npm install --prefix "$NPM_PREFIX" --no-audit --no-fund --loglevel=error axe-core@4; }
fi
[ -f "$AXE_JS" ] || { log "axe-core is still missing at $AXE_JS"; exit 1; }
log "axe-core $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$NPM_PREFIX/node_modules/axe-core/package.json" | head -n1) at $AXE_JS"
