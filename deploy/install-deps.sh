#!/usr/bin/env bash
# Installs every build and test dependency from Debian 12 packages.
# Idempotent: does nothing (not even apt-get update) when all are present.
# --tests adds what only the tests need: Chromium, which reads the dev
# server's web page headless.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  libboost1.81-dev libssl-dev libsimdjson-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libsqlite3-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  python3 ca-certificates openssl
)
if [ "${1:-}" = "--tests" ]; then
  packages+=(chromium)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
