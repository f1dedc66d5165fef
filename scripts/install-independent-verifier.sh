#!/usr/bin/env bash
# Installs the independent verifier of the transparency log (issue 6): a small Go program,
# scripts/independent-verifier/main.go, whose every signature, hash and proof check is made by
# the Go team's golang.org/x/mod/sumdb/note and golang.org/x/mod/sumdb/tlog (the code behind
# Go's checksum database), taken from Debian's packages golang-go and golang-golang-x-mod-dev.
# Nothing of Gongkai's is in it; crates/server/tests/independent_verifier.rs runs it against a
# live `gongkai serve`.
#
# The binary goes to $GONGKAI_GO_VERIFIER (default /root/.cache/gongkai-go-verify/gongkai-go-verify),
# outside the clone so that repeated runs reuse it; it is rebuilt when the source is newer.
# Idempotent; `apt-get update` runs only when an install is needed. The last line printed is
# the binary's path.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DEBIAN_FRONTEND=noninteractive
OUT="${GONGKAI_GO_VERIFIER:-/root/.cache/gongkai-go-verify/gongkai-go-verify}"
SOURCE_DIR="scripts/independent-verifier"
X_MOD=/usr/share/gocode/src/golang.org/x/mod/sumdb

log() { printf '[install-independent-verifier] %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v go >/dev/null 2>&1 || missing+=(golang-go)
[ -f "$X_MOD/note/note.go" ] && [ -f "$X_MOD/tlog/tlog.go" ] || missing+=(golang-golang-x-mod-dev)
if [ "${#missing[@]}" -gt 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq || { sleep 5; as_root apt-get update -qq; }
    log "apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" \
        || { sleep 5; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends -o Dpkg::Options::=--force-confdef \
            -o Dpkg::Options::=--force-confold "${missing[@]}"; }
fi

if [ ! -x "$OUT" ] || [ "$SOURCE_DIR/main.go" -nt "$OUT" ]; then
    mkdir -p "$(dirname "$OUT")"
    log "go build $SOURCE_DIR -> $OUT ($(go version))"
    # GOPATH mode: Debian installs x/mod's source under /usr/share/gocode, and no module proxy
    # is asked for anything.
    (cd "$SOURCE_DIR" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= \
        GOCACHE="$(dirname "$OUT")/go-build-cache" go build -o "$OUT" .)
fi
[ -x "$OUT" ] || { log "the verifier is still missing at $OUT"; exit 1; }
log "golang.org/x/mod $(dpkg-query -W -f='${Version}' golang-golang-x-mod-dev 2>/dev/null) at $X_MOD"
echo "$OUT"
