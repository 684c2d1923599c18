#!/bin/sh
# Installs this build's plugin SDK (component "sdk") into a temporary prefix,
# builds tests/runtime/out_of_tree against it with find_package(SwfRuntime)
# as a plugin author would, and checks that the plugin exports its entry.
#   usage: out_of_tree_test.sh BUILD_DIR
set -eu

if [ $# -ne 1 ] || [ ! -f "$1/CMakeCache.txt" ]; then
    echo "usage: $0 BUILD_DIR (a configured and built swf-runtime build)" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/swfrt-out-of-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The compiler of the build, so the installed static library links cleanly.
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")

echo "== installing the SDK into $tmp/prefix"
cmake --install "$build" --prefix "$tmp/prefix" --component sdk ||
    fail "cmake --install (is the build up to date?)"
for f in include/swfrt/sdk.hpp include/swf/model/model.hpp include/swf/model/box.hpp; do
    [ -f "$tmp/prefix/$f" ] || fail "$f is not installed"
done
ls "$tmp"/prefix/lib*/libswfrt_model.a >/dev/null 2>&1 || fail "libswfrt_model.a is not installed"
ls "$tmp"/prefix/lib*/cmake/SwfRuntime/SwfRuntimeConfigVersion.cmake >/dev/null 2>&1 ||
    fail "the package version file is not installed"

echo "== configuring and building the out-of-tree plugin"
cmake -S "$here/out_of_tree" -B "$tmp/build" -G Ninja \
    -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo ||
    fail "configuring against the installed package"
cmake --build "$tmp/build" || fail "building against the installed package"

so="$tmp/build/libswfrt_shout_plugin.so"
[ -f "$so" ] || fail "$so was not built"
# Nothing may come from the source tree: only the prefix and the system.
src=$(cd "$here/../.." && pwd)
if grep -Eq -- "(-I|-isystem ?)$src(/| )" "$tmp/build/build.ninja"; then
    fail "the out-of-tree build includes headers from the source tree"
fi
nm -D --defined-only "$so" | awk '{print $NF}' | grep -qx swfrt_plugin_entry ||
    fail "$so does not export swfrt_plugin_entry"

echo "PASS: out-of-tree plugin built against the installed SwfRuntime package"
