# Sourced by deploy/quickstart.sh and tests/run.sh: makes moto_server (the
# local SWF endpoint) and boto3 available. Uses what is installed; otherwise
# installs them into a virtual environment under the user's cache folder
# (Debian 12's system Python refuses plain `pip install`) and puts it first
# on PATH. By hand: pip install "moto[server]" boto3
swfrt_python_env() {
  if command -v moto_server >/dev/null 2>&1 && python3 -c 'import boto3, moto' >/dev/null 2>&1; then
    return 0
  fi
  local venv="${XDG_CACHE_HOME:-$HOME/.cache}/swf-runtime/venv"
  if [ ! -x "$venv/bin/moto_server" ]; then
    echo "python-env: moto_server or boto3 missing; installing moto[server] and boto3 into $venv"
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' >/dev/null 2>&1; then
      local sudo=""
      [ "$(id -u)" -eq 0 ] || sudo="sudo"
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv python3-pip
    fi
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "moto[server]" boto3 || {
      echo "python-env: could not install moto; run: pip install \"moto[server]\" boto3" >&2
      return 1
    }
  fi
  export PATH="$venv/bin:$PATH"
}
