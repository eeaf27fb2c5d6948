# shellcheck shell=bash
# Shared by scripts/demo and scripts/bench-*: the release binary, the Python environment
# and local servers.
# Source it from the repository root.

VENV=target/test-venv

# Build the release binary and make the five tools' names beside it, as the release
# archive and install.sh do: hard links to cdk-toolkit. Sets BIN to their folder.
# TOOLKIT_BIN=DIR uses the cdk-toolkit already built there (a release archive's, or
# scripts/package's target/<target>/release) instead.
build_release() {
  if [ -n "${TOOLKIT_BIN:-}" ]; then
    BIN=$(realpath "$TOOLKIT_BIN")
  else
    cargo build --locked --release --bin cdk-toolkit --quiet
    BIN=${CARGO_TARGET_DIR:-$PWD/target}/release
  fi
  "$BIN/cdk-toolkit" link >/dev/null 2>&1
}

# Create target/test-venv exactly as the tests do (tests/support/mod.rs: venv()).
ensure_venv() {
  local req=tests/support/requirements.txt ref=tests/support/requirements-reference.txt
  if ! cat "$req" "$ref" | cmp -s - "$VENV/.installed" 2>/dev/null; then
    echo "setting up the Python environment with the AWS emulator in $VENV ..." >&2
    python3 -m venv --clear "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --ignore-requires-python -r "$req" -r "$ref"
    cat "$req" "$ref" > "$VENV/.installed"
  fi
}

# start_server NAME SCRIPT ARGS...: run SCRIPT (a path, or a name in tests/support/) in
# the background, its stdin held open by a sleeping process; sets NAME_PORT. Stopped
# by stop_servers.
SERVER_PIDS=()
start_server() {
  local name=$1 script=$2
  shift 2
  local portfile
  portfile=$(mktemp)
  case "$script" in */*) ;; *) script=tests/support/$script ;; esac
  (sleep 100000 | "$VENV/bin/python" "$script" "$@" >"$portfile") &
  SERVER_PIDS+=($!)
  for _ in $(seq 1 200); do
    [ -s "$portfile" ] && break
    sleep 0.05
  done
  [ -s "$portfile" ] || { echo "$script did not start" >&2; exit 1; }
  printf -v "${name}_PORT" '%s' "$(head -n1 "$portfile")"
  rm -f "$portfile"
}

stop_servers() {
  for pid in "${SERVER_PIDS[@]}"; do
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
}

