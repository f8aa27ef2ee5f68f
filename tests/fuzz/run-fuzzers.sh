#!/bin/sh
# run-fuzzers.sh: run every fuzz target of a build directory for a while
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: tests/fuzz/run-fuzzers.sh [BUILD-DIR] [SECONDS]
#
#   BUILD-DIR  a build configured with
#              CC=clang meson setup BUILD-DIR -Dfuzzing=true -Dintrospection=disabled -Db_lundef=false
#              (default: _build-fuzz)
#   SECONDS    time per target (default: $FUZZ_SECONDS, else 60)
#
# Each target fuzz-NAME runs with -max_total_time on a scratch copy of
# tests/fuzz/corpus/NAME/ (the committed corpus is never modified), with
# NAME.dict as its dictionary when there is one. Crash inputs are kept in
# BUILD-DIR/fuzz-artifacts/. Exits non-zero if any target crashed, leaked or
# timed out. Extra libFuzzer flags can be passed in $FUZZ_FLAGS.

set -u

build_dir=${1:-_build-fuzz}
seconds=${2:-${FUZZ_SECONDS:-60}}
src_dir=$(cd "$(dirname "$0")" && pwd)
artifacts="$build_dir/fuzz-artifacts"
status=0
found=0

mkdir -p "$artifacts"
artifacts=$(cd "$artifacts" && pwd)

for target in "$build_dir"/tests/fuzz/fuzz-*; do
  [ -f "$target" ] && [ -x "$target" ] || continue
  found=1
  name=$(basename "$target")
  short=${name#fuzz-}
  work=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")

  if [ -d "$src_dir/corpus/$short" ]; then
    cp -R "$src_dir/corpus/$short/." "$work/"
  fi
  dict=""
  if [ -f "$src_dir/$short.dict" ]; then
    dict="-dict=$src_dir/$short.dict"
  fi

  echo "== $name: ${seconds}s on $(ls "$work" | wc -l) seeds"
  # shellcheck disable=SC2086  # FUZZ_FLAGS and dict are word lists
  if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
     UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
     "$target" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
       $dict ${FUZZ_FLAGS:-} "$work"; then
    echo "== $name: ok"
  else
    echo "== $name: FAILED (inputs in $artifacts)"
    status=1
  fi
  rm -rf "$work"
done

if [ "$found" = 0 ]; then
  echo "no fuzz targets in $build_dir/tests/fuzz (configure with -Dfuzzing=true)" >&2
  exit 1
fi

exit $status
