#!/bin/sh
# Installs, with apt-get, the Debian packages the test suite needs that this machine lacks:
# `chromium` (headless Chromium for the gate-summary browser test) and `prometheus` (the Prometheus
# server the metrics integration test starts on loopback). Does nothing when every one is present;
# uses sudo only when not run as root.
set -eu

# One line per package: the Debian package and a file it installs that the tests use.
missing=""
need() {
  if [ ! -e "$2" ]; then missing="$missing $1"; fi
}
need chromium /usr/bin/chromium
need prometheus /usr/bin/prometheus

if [ -z "$missing" ]; then
  echo "install-system-packages: all present, nothing to install"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-system-packages: error: the tests need these Debian packages:$missing" >&2
  echo "  but apt-get was not found: this script supports Debian/Ubuntu only." >&2
  echo "  Install them with this system's package manager, then run the tests again." >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "install-system-packages: error: installing$missing needs root, and sudo was not found" >&2
  echo "  run this script as root, or install the packages by hand." >&2
  exit 1
fi

echo "install-system-packages: installing$missing"
$as_root apt-get update
# shellcheck disable=SC2086 # one word per package
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y $missing
