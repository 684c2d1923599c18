#!/usr/bin/env bash
# The package check must fail, naming the package, when the runtime stage
# lacks one: run it on a copy of the Containerfile without libsimdjson14.
#
#   container_packages_selftest.sh CHECKER CONTAINERFILE BINARY
set -euo pipefail
checker=$1 containerfile=$2 binary=$3
if [[ ! -e $binary ]]; then
    echo "skipped: $binary is not built" >&2
    exit 77
fi
# ldd's whole output first: grep -q stopping early would fail ldd with
# SIGPIPE under pipefail.
libs=$(ldd "$binary")
if ! grep -q libsimdjson <<<"$libs"; then
    echo "$binary does not link libsimdjson; nothing to remove" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed -E 's/ libsimdjson14//' "$containerfile" >"$tmp/Containerfile"
if grep -q libsimdjson14 "$tmp/Containerfile"; then
    echo "could not remove libsimdjson14 from the copy" >&2
    exit 1
fi
set +e
"$checker" "$tmp/Containerfile" "$binary" 2>"$tmp/err"
rc=$?
set -e
if [[ $rc -eq 77 ]]; then
    exit 77
fi
if [[ $rc -ne 1 ]]; then
    echo "expected the check to fail with 1, got $rc" >&2
    cat "$tmp/err" >&2
    exit 1
fi
if ! grep -q 'package libsimdjson14, which the runtime stage' "$tmp/err"; then
    echo "the failure does not name libsimdjson14:" >&2
    cat "$tmp/err" >&2
    exit 1
fi
echo "ok: a runtime stage without libsimdjson14 is refused, naming it"
