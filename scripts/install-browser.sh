#!/usr/bin/env bash
# Installs the browser the end-to-end test drives (tests/e2e): Debian's headless-capable Chromium and the
# matching chromedriver, from the distribution's package archive. Selenium's own driver download can't
# work on these machines (only package registries are reachable), and the two Debian packages always come
# in the same version, so the driver matches the browser.
# Idempotent: does nothing when both are already installed. Run from anywhere: bash scripts/install-browser.sh
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CHROMEDRIVER=/usr/bin/chromedriver

# Already there: nothing to do, and no apt-get run (it is slow and needs root).
if [[ -x "$CHROMIUM" && -x "$CHROMEDRIVER" ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; install Chromium and chromedriver at $CHROMIUM and $CHROMEDRIVER" >&2
  exit 1
fi

# apt-get needs root: use sudo when we are not root and it exists (developers' machines), else say so.
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-browser: run as root (or install sudo) to apt-get install chromium chromium-driver" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

# No prompts (debconf) and no waiting forever on another apt process's lock.
APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
echo "install-browser: installing chromium and chromium-driver from the Debian archive"
"${APT[@]}" update
"${APT[@]}" install -y --no-install-recommends chromium chromium-driver

# Installed is not enough: both must start. Debian's chromium launcher may print warnings on stderr,
# so the version is the last line of what it prints.
for binary in "$CHROMIUM" "$CHROMEDRIVER"; do
  if ! version="$("$binary" --version 2>&1)"; then
    echo "install-browser: $binary is installed but does not run:" >&2
    echo "$version" >&2
    exit 1
  fi
  echo "install-browser: $(tail -n 1 <<<"$version")"
done
