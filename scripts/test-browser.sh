#!/usr/bin/env bash
# Runs the end-to-end tests of the web client (tests/browser) with Playwright
# and Debian's Chromium against a three-node cluster that this script starts
# and stops.
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

readonly TESTS_DIR="$PARLEY_ROOT/tests/browser"
readonly CHROMIUM="/usr/bin/chromium"
# Timeouts in seconds.
readonly CLUSTER_START_TIMEOUT=120
readonly CLUSTER_STOP_TIMEOUT=60
readonly TESTS_TIMEOUT=900

build_dir="$PARLEY_BUILD_DIR"
build=true
keep_logs=false
cluster_pid=""
info_file=""

usage() {
  cat <<USAGE
Usage: scripts/test-browser.sh [--build-dir DIR] [--no-build] [--keep-logs]

Installs the npm packages of tests/browser (npm ci), builds parley-test-cluster
and the binaries it runs, starts a cluster of PostgreSQL, parley-devbroker and
three parley-server nodes on free loopback ports, runs the browser tests with
node --test, and stops the cluster. Screenshots go to DIR/browser-screenshots.

Options:
  --build-dir DIR  Use the configured build directory DIR instead of build/,
                   and build there with ninja (without installing packages).
  --no-build       Do not build; use the binaries already in the build directory.
  --keep-logs      Keep the node logs after the run and print where they are.
  --help           Show this help.

Needs the Debian packages chromium, nodejs and npm (scripts/install-deps.sh).
The whole test run is limited to $TESTS_TIMEOUT s.
USAGE
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --build-dir)
        [[ -n "${2:-}" ]] || die "--build-dir needs a directory"
        build_dir="$(cd -- "$2" && pwd)" || die "build directory '$2' not found"
        shift
        ;;
      --no-build) build=false ;;
      --keep-logs) keep_logs=true ;;
      --help | -h)
        usage
        exit 0
        ;;
      *) die "unknown option '$1'; see --help" ;;
    esac
    shift
  done
}

check_tools() {
  [[ -x "$CHROMIUM" ]] || die "$CHROMIUM not found; install the chromium package with scripts/install-deps.sh"
  command -v node >/dev/null 2>&1 || die "node not found; install the nodejs package with scripts/install-deps.sh"
  # The nodejs package of NodeSource contains npm and conflicts with the
  # Debian package npm, so install-deps.sh does not list npm.
  command -v npm >/dev/null 2>&1 || die "npm not found; install it with: apt-get install npm"
}

build_binaries() {
  if [[ "$build" == false ]]; then
    return 0
  fi
  if [[ "$build_dir" == "$PARLEY_BUILD_DIR" ]]; then
    "$PARLEY_ROOT/scripts/build.sh" parley-test-cluster
  else
    ninja -C "$build_dir" parley-test-cluster || die "building parley-test-cluster in $build_dir failed"
  fi
}

# Stops the cluster host, which stops its nodes, broker and PostgreSQL. It
# runs on every exit.
cleanup() {
  local status=$?
  trap - EXIT
  if [[ -n "$cluster_pid" ]] && kill -0 "$cluster_pid" 2>/dev/null; then
    info "stopping the cluster"
    kill -TERM "$cluster_pid" 2>/dev/null || true
    local deadline=$((SECONDS + CLUSTER_STOP_TIMEOUT))
    while kill -0 "$cluster_pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.2
    done
    if kill -0 "$cluster_pid" 2>/dev/null; then
      warn "parley-test-cluster (PID $cluster_pid) did not stop within $CLUSTER_STOP_TIMEOUT s; sending SIGKILL"
      kill -KILL "$cluster_pid" 2>/dev/null || true
    fi
    wait "$cluster_pid" 2>/dev/null || true
  fi
  if [[ -n "$info_file" ]]; then
    rm -f -- "$info_file" "$info_file.partial"
  fi
  exit "$status"
}

start_cluster() {
  local host="$build_dir/tests/integration/web/parley-test-cluster"
  [[ -x "$host" ]] || die "$host not found; build it with scripts/build.sh parley-test-cluster"
  info_file="$(mktemp -u "${TMPDIR:-/tmp}/parley-browser-cluster-XXXXXX.json")"
  local flags=(--info "$info_file")
  if [[ "$keep_logs" == true ]]; then
    flags+=(--keep-logs)
  fi
  info "starting the cluster"
  # In its own session, so that a Ctrl-C reaches only this script, which then
  # stops the cluster through cleanup.
  setsid "$host" "${flags[@]}" </dev/null &
  cluster_pid=$!

  local deadline=$((SECONDS + CLUSTER_START_TIMEOUT))
  until [[ -f "$info_file" ]]; do
    if ! kill -0 "$cluster_pid" 2>/dev/null; then
      cluster_pid=""
      die "parley-test-cluster exited during start-up; its error is above"
    fi
    if ((SECONDS >= deadline)); then
      die "the cluster was not ready within $CLUSTER_START_TIMEOUT s"
    fi
    sleep 0.5
  done
}

main() {
  parse_args "$@"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  check_tools
  info "installing the npm packages of tests/browser"
  (cd -- "$TESTS_DIR" && npm ci --no-audit --no-fund) || die "npm ci failed in $TESTS_DIR"
  build_binaries
  start_cluster

  local screenshots="$build_dir/browser-screenshots"
  mkdir -p -- "$screenshots"
  info "running the browser tests; screenshots go to $screenshots"
  local status=0
  (cd -- "$TESTS_DIR" &&
    PARLEY_CLUSTER_INFO="$info_file" PARLEY_SCREENSHOT_DIR="$screenshots" PARLEY_CHROMIUM="$CHROMIUM" \
      timeout "$TESTS_TIMEOUT" node --test chat.test.js) || status=$?
  if ((status == 124)); then
    warn "the browser tests did not finish within $TESTS_TIMEOUT s"
  fi
  return "$status"
}

main "$@"
