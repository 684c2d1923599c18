#!/bin/sh
# Installs this build's SDK components into temporary prefixes and builds
# tests/runtime/out_of_tree against them with find_package(SwfRuntime), as
# a team does in its own repository:
#   - the sdk component alone: a plugin of activities and a raw decider;
#   - sdk, workflow and client: a coroutine workflow plugin and a program
#     calling SWF through the client.
# Nothing may come from the source tree. The plugins must export only their
# entry point. With OUT_DIR the built plugin and program are copied there
# (the end-to-end test runs them).
#   usage: out_of_tree_test.sh BUILD_DIR [OUT_DIR]
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ ! -f "$1/CMakeCache.txt" ]; then
    echo "usage: $0 BUILD_DIR [OUT_DIR] (BUILD_DIR: a configured and built swf-runtime build)" >&2
    exit 2
fi
build=$(cd "$1" && pwd)
out=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/swfrt-out-of-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The compiler of the build, so the installed static libraries link cleanly.
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
launcher=""
command -v ccache >/dev/null 2>&1 && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"

install_into() { # PREFIX COMPONENT...
    prefix=$1
    shift
    for c in "$@"; do
        cmake --install "$build" --prefix "$prefix" --component "$c" >/dev/null ||
            fail "cmake --install --component $c (is the build up to date?)"
    done
}

build_against() { # PREFIX DIR COMPONENTS
    # shellcheck disable=SC2086
    cmake -S "$here/out_of_tree" -B "$2" -G Ninja -DCMAKE_PREFIX_PATH="$1" -DCMAKE_CXX_COMPILER="$cxx" \
        $launcher -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DSWFRT_COMPONENTS=$3" >/dev/null ||
        fail "configuring against the installed package ($1)"
    cmake --build "$2" || fail "building against the installed package ($1)"
    if grep -Eq -- "(-I|-isystem ?)$src(/| )" "$2/build.ninja"; then
        fail "the out-of-tree build includes headers from the source tree"
    fi
}

exports_only_entry() { # SO
    [ -f "$1" ] || fail "$1 was not built"
    syms=$(nm -D --defined-only "$1" | awk '{print $NF}' | grep -v '^_\(init\|fini\)$' || true)
    [ "$syms" = swfrt_plugin_entry ] || fail "$1 exports more than swfrt_plugin_entry: $(echo $syms | head -c 300)"
}

echo "== the sdk component alone"
install_into "$tmp/sdk" sdk
base=include/swf-runtime
for f in $base/swfrt/sdk.hpp $base/swfrt/json.hpp $base/swf/model/model.hpp $base/swf/model/fingerprint.hpp \
    $base/swf/error.hpp; do
    [ -f "$tmp/sdk/$f" ] || fail "$f is not installed by the sdk component"
done
for f in $base/swfrt/workflow.hpp $base/workflow/context.hpp $base/swfrt/client.hpp $base/swf/client/client.hpp; do
    [ ! -e "$tmp/sdk/$f" ] || fail "$f is installed by the sdk component"
done
ls "$tmp"/sdk/lib*/libswfrt_model.a >/dev/null 2>&1 || fail "libswfrt_model.a is not installed"
ls "$tmp"/sdk/lib*/libswfrt_workflow.a >/dev/null 2>&1 && fail "libswfrt_workflow.a is installed by the sdk component"
ls "$tmp"/sdk/lib*/cmake/SwfRuntime/SwfRuntimeConfigVersion.cmake >/dev/null 2>&1 ||
    fail "the package version file is not installed"
build_against "$tmp/sdk" "$tmp/build-sdk" ""
exports_only_entry "$tmp/build-sdk/libswfrt_shout_plugin.so"
# Asking for a component that is not installed fails with its name.
if cmake -S "$here/out_of_tree" -B "$tmp/build-missing" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/sdk" \
    -DCMAKE_CXX_COMPILER="$cxx" "-DSWFRT_COMPONENTS=workflow" >"$tmp/missing.log" 2>&1; then
    fail "find_package(SwfRuntime COMPONENTS workflow) succeeded without the workflow component"
fi
grep -q "component 'workflow' is not installed" "$tmp/missing.log" ||
    fail "a missing component is not named: $(tail -5 "$tmp/missing.log")"

echo "== sdk, workflow and client"
install_into "$tmp/all" sdk workflow client
build_against "$tmp/all" "$tmp/build-all" "workflow;client"
exports_only_entry "$tmp/build-all/libswfrt_trip_plugin.so"
[ -x "$tmp/build-all/swfrt_trip_client" ] || fail "the client program was not built"
"$tmp/build-all/swfrt_trip_client" >/dev/null 2>&1 && fail "the client program ran without arguments"

if [ -n "$out" ]; then
    mkdir -p "$out"
    cp "$tmp/build-all/libswfrt_trip_plugin.so" "$tmp/build-all/swfrt_trip_client" "$out/"
fi
echo "PASS: plugins and a client program built against the installed SwfRuntime components"
