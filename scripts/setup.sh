#!/usr/bin/env bash
# Sets up a checkout: the Debian packages the tests need (when run as root or with sudo), the npm packages, and the
# pinned emulators (MinIO, fake-gcs-server) built once into .cache/emulators. Safe to run again; it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else return 1; fi
}

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

# 3. Emulators for the tests and the demo (Azurite comes from npm; these two are built from the Go module proxy).
if command -v go >/dev/null 2>&1; then
  npx tsx tools/emulators/cli.ts build minio fakeGcs
else
  say "Go is not installed: MinIO and fake-gcs-server cannot be built, so the S3 and GCS tests and the demo will fail"
fi
say "ready"
