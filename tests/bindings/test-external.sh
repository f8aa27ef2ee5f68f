#!/bin/bash
# test-external.sh: build a program against the installed zbus-gobject
#
# Copyright 2026 The zbus-gobject authors
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: test-external.sh BUILDDIR CONSUMER.c [README.md]
#
# Installs BUILDDIR into a temporary DESTDIR, points pkg-config at the
# installed zbus-gobject-1.pc (its prefix moved into the DESTDIR), compiles
# CONSUMER.c with nothing but `cc $(pkg-config --cflags --libs
# zbus-gobject-1)` and runs it against the installed library. Also checks
# that the GIR, typelib and vapi were installed where their tools look, and
# that the installed typelib loads from Python. Given README.md, also
# builds and runs its first ```c block and runs its first ```python block,
# so the README's examples keep working.

set -euo pipefail

builddir=$(cd "$1" && pwd)
source=$2
readme=${3:-}
meson=${MESON:-meson}
cc=${CC:-cc}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
destdir=$tmp/root

step () { echo "test-external: $*"; }
die () { echo "test-external: FAIL: $*" >&2; exit 1; }

step "meson install --destdir $destdir"
"$meson" install -C "$builddir" --no-rebuild --quiet --destdir "$destdir" >"$tmp/install.log" 2>&1 \
  || { cat "$tmp/install.log" >&2; die "meson install failed"; }

pc=$(find "$destdir" -name zbus-gobject-1.pc -print -quit)
[ -n "$pc" ] || die "zbus-gobject-1.pc was not installed"
prefix=$(sed -n 's/^prefix=//p' "$pc")
[ -n "$prefix" ] || die "no prefix= line in $pc"
step "installed ${pc#"$destdir"} (prefix $prefix)"

# The .pc names everything relative to ${prefix}; moving the prefix into
# the DESTDIR is what a relocated install would look like. (Not
# PKG_CONFIG_SYSROOT_DIR: that would move glib's paths too.)
mkdir -p "$tmp/pkgconfig"
sed "s|^prefix=.*|prefix=$destdir$prefix|" "$pc" >"$tmp/pkgconfig/zbus-gobject-1.pc"
export PKG_CONFIG_PATH="$tmp/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

includedir=$(pkg-config --variable=includedir zbus-gobject-1)
libdir=$(pkg-config --variable=libdir zbus-gobject-1)
headers=$includedir/zbus-gobject-1/zbus-gobject
[ -f "$headers/zbus-gobject.h" ] || die "zbus-gobject.h not in $headers"
while read -r h; do
  [ -f "$headers/$h" ] || die "zbus-gobject.h includes $h, which was not installed"
done < <(sed -n 's/^# *include "\(.*\)"/\1/p' "$headers/zbus-gobject.h")
cflags=$(pkg-config --cflags zbus-gobject-1)
grep -q -- "-I$headers" <<<"$cflags" \
  || die "Cflags do not point at $headers: $cflags"

step "cc consumer.c \$(pkg-config --cflags --libs zbus-gobject-1)"
# shellcheck disable=SC2046 # word splitting of pkg-config's output is intended
"$cc" -Wall -Werror -o "$tmp/consumer" "$source" $(pkg-config --cflags --libs zbus-gobject-1)

step "running consumer"
LD_LIBRARY_PATH="$libdir" "$tmp/consumer" || die "consumer failed"
# (Output captured first: grep -q closing the pipe early would fail the
# pipeline under pipefail.)
libs=$(LD_LIBRARY_PATH="$libdir" ldd "$tmp/consumer")
grep -q "$libdir/libzbus-gobject-1.so" <<<"$libs" \
  || die "consumer did not load the installed library: $libs"

# The first fenced block of a language in a Markdown file.
code_block () { awk -v lang="$2" '$0 == "```" lang { on = 1; next } on && /^```/ { exit } on' "$1"; }

if [ -n "$readme" ]; then
  code_block "$readme" c >"$tmp/readme.c"
  [ -s "$tmp/readme.c" ] || die "no \`\`\`c block in $readme"
  step "README's C example"
  # shellcheck disable=SC2046
  "$cc" -Wall -Werror -o "$tmp/readme" "$tmp/readme.c" $(pkg-config --cflags --libs zbus-gobject-1)
  LD_LIBRARY_PATH="$libdir" "$tmp/readme" >"$tmp/readme.out" || die "README's C example failed"
  grep -q RequestName "$tmp/readme.out" || die "README's C example printed no RequestName"
fi

# Introspection data, when this build made it.
if [ -f "$builddir/zbus-gobject/Zbus-1.0.typelib" ]; then
  typelib=$(find "$destdir" -path '*/girepository-1.0/Zbus-1.0.typelib' -print -quit)
  gir=$(find "$destdir" -path '*/gir-1.0/Zbus-1.0.gir' -print -quit)
  [ -n "$typelib" ] || die "Zbus-1.0.typelib not installed in a girepository-1.0 directory"
  [ -n "$gir" ] || die "Zbus-1.0.gir not installed in a gir-1.0 directory"
  step "installed ${typelib#"$destdir"} and ${gir#"$destdir"}"
  if /usr/bin/python3 -c 'import gi' 2>/dev/null; then
    GI_TYPELIB_PATH=$(dirname "$typelib") LD_LIBRARY_PATH="$libdir" /usr/bin/python3 -c '
import gi
gi.require_version("Zbus", "1.0")
from gi.repository import Zbus
msg = Zbus.Message.new_method_call(None, "/", None, "Ping")
msg.set_serial(1)
assert Zbus.Message.new_from_bytes(msg.to_bytes(), None).get_member() == "Ping"
' || die "the installed typelib does not load from Python"
    step "installed typelib loads from Python"
    if [ -n "$readme" ]; then
      code_block "$readme" python >"$tmp/readme.py"
      [ -s "$tmp/readme.py" ] || die "no \`\`\`python block in $readme"
      step "README's Python example"
      GI_TYPELIB_PATH=$(dirname "$typelib") LD_LIBRARY_PATH="$libdir" /usr/bin/python3 "$tmp/readme.py" \
        || die "README's Python example failed"
    fi
  fi
fi
if [ -f "$builddir/zbus-gobject/zbus-gobject-1.vapi" ]; then
  vapi=$(find "$destdir" -path '*/vala/vapi/zbus-gobject-1.vapi' -print -quit)
  [ -n "$vapi" ] || die "zbus-gobject-1.vapi not installed in a vala/vapi directory"
  step "installed ${vapi#"$destdir"}"
  if command -v valac >/dev/null 2>&1; then
    step "valac --pkg zbus-gobject-1 test-message.vala"
    valac --quiet --vapidir "$(dirname "$vapi")" --pkg zbus-gobject-1 -X -w \
      -d "$tmp" -o "$tmp/vala-test" "$(dirname "$0")/test-message.vala"
    LD_LIBRARY_PATH="$libdir" "$tmp/vala-test" >/dev/null || die "Vala test built against the installed vapi failed"
  fi
fi

step "PASS"
