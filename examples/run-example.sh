#!/bin/bash
# Runs the example service (examples/example-service.c) on a private bus
# of its own, drives it with the example client (examples/example-client.c)
# and prints what the client saw; then the connection example
# (examples/connection-example.c) on the same bus.
#
# Usage: examples/run-example.sh [BUILDDIR]   (default: _build)

set -euo pipefail
cd "$(dirname "$0")/.."

builddir=${1:-_build}
service=$builddir/examples/example-service
client=$builddir/examples/example-client
connection=$builddir/examples/connection-example

for program in "$service" "$client" "$connection"; do
  if [ ! -x "$program" ]; then
    echo "run-example: $program not found; build first: meson setup $builddir && meson compile -C $builddir" >&2
    exit 1
  fi
done
if ! command -v dbus-run-session >/dev/null 2>&1; then
  echo "run-example: dbus-run-session not found (Debian package dbus-daemon)" >&2
  exit 1
fi

# Inside the private bus: start the service, wait for its name, run the
# client (whose Quit makes the service exit), then the connection example.
exec dbus-run-session -- bash -c '
  set -e
  "$1" &
  service_pid=$!
  gdbus wait --session --timeout 10 org.zbus.MyService
  echo "--- example-client:"
  "$2"
  wait "$service_pid"
  echo "--- connection-example:"
  "$3"
' run-example "$service" "$client" "$connection" 2> >(grep -v "Failed to set fd limit" >&2)
