# shellcheck shell=bash
# Shell helpers shared by the scripts in this folder. Source it, do not run it.

# Absolute path of the repository root, whatever the caller's working directory.
# shellcheck disable=SC2034  # used by the scripts that source this file
PARLEY_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
readonly PARLEY_ROOT

# Build directory that build.sh configures and the other scripts use.
# shellcheck disable=SC2034  # used by the scripts that source this file
PARLEY_BUILD_DIR="$PARLEY_ROOT/build"
readonly PARLEY_BUILD_DIR

# Name of the running script, used as the prefix of its messages.
PARLEY_SCRIPT="$(basename -- "$0")"
readonly PARLEY_SCRIPT

info() {
  printf '%s: %s\n' "$PARLEY_SCRIPT" "$*"
}

warn() {
  printf '%s: warning: %s\n' "$PARLEY_SCRIPT" "$*" >&2
}

die() {
  printf '%s: error: %s\n' "$PARLEY_SCRIPT" "$*" >&2
  exit 1
}

is_root() {
  [[ "$(id -u)" -eq 0 ]]
}

# Runs a command as root: directly when already root, else through sudo.
# Without a terminal, sudo runs with -n so that a password prompt fails at
# once instead of hanging.
run_as_root() {
  if is_root; then
    "$@"
    return
  fi
  if ! command -v sudo >/dev/null 2>&1; then
    die "root is needed to run '$*', and sudo is not installed; run this script as root"
  fi
  if [[ -t 0 ]]; then
    sudo "$@"
  else
    sudo -n "$@"
  fi
}

# Runs a command as the owner of the PostgreSQL data directory: the postgres
# user when run as root, because initdb and postgres exit with an
# error when run as root, else the current user.
as_postgres_user() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# Succeeds when something accepts TCP connections on 127.0.0.1:port.
port_in_use() {
  # shellcheck disable=SC2016  # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}
