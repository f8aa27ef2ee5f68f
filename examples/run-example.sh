#!/bin/bash
# Runs examples/connection-example on a private bus of its own.
#
# Usage: examples/run-example.sh [BUILDDIR]   (default: _build)
# BUILDDIR is taken relative to the top of the source tree unless absolute.

set -euo pipefail
cd "$(dirname "$0")/.."

builddir=${1:-_build}
example=$builddir/examples/connection-example

if [ ! -x "$example" ]; then
  echo "run-example: $example not found; build first: meson setup $builddir && meson compile -C $builddir" >&2
  exit 1
fi
if ! command -v dbus-run-session >/dev/null 2>&1; then
  echo "run-example: dbus-run-session not found (Debian package dbus-daemon)" >&2
  exit 1
fi

# dbus-run-session starts a bus with the standard session configuration,
# points DBUS_SESSION_BUS_ADDRESS at it, runs the example and stops the bus.
exec dbus-run-session -- "$example"
