#!/usr/bin/env bash
# Installs axe-core, the accessibility engine the end-to-end test injects into headless Chromium
# (tests/e2e/accessibility.py), at the exact version pinned in tools/axe/package-lock.json. Only its
# axe.min.js is used: no Node.js code of it runs. Idempotent: does nothing but check when it is there.
# Run from anywhere: bash scripts/install-axe.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOL_DIR="$ROOT/tools/axe"
SCRIPT="$TOOL_DIR/node_modules/axe-core/axe.min.js"

say() { echo "install-axe: $*"; }
fail() {
  echo "install-axe: $*" >&2
  exit 1
}

pinned="$(grep -A1 '"node_modules/axe-core"' "$TOOL_DIR/package-lock.json" | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' || true)"
[[ -n "$pinned" ]] || fail "no axe-core version in tools/axe/package-lock.json"
installed=""
if [[ -f "$TOOL_DIR/node_modules/axe-core/package.json" ]]; then
  installed="$(grep -m1 -Eo '"version": *"[^"]+"' "$TOOL_DIR/node_modules/axe-core/package.json" | grep -Eo '[0-9][^"]*' || true)"
fi

if [[ "$installed" != "$pinned" || ! -f "$SCRIPT" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || fail "no npm and no apt-get here; install npm by hand"
    sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then sudo=(sudo); fi
    say "installing npm from the Debian archive"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends npm
  fi
  say "installing axe-core $pinned into tools/axe (npm ci, from the lock file)"
  (cd "$TOOL_DIR" && timeout 600 npm ci --no-audit --no-fund --ignore-scripts)
  [[ -f "$SCRIPT" ]] || fail "axe-core $pinned is installed but has no axe.min.js"
fi
say "axe-core $pinned"
