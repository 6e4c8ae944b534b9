#!/usr/bin/env bash
# Installs the dependencies, configures build/ with CMake and Ninja when it is
# not configured yet, and builds.
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

# Binaries listed at the end of a build, relative to the build directory.
readonly BINARIES=(
  src/server/parley-server
  src/devbroker/parley-devbroker
  src/client/parley-cli
)

usage() {
  cat <<USAGE
Usage: scripts/build.sh [--skip-deps] [NINJA_TARGET...]

Installs the Debian packages (scripts/install-deps.sh), configures build/ with
"cmake -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo" when build/ is not
configured yet, then runs ninja with one job per CPU. Without targets it
builds everything, tests included.

Options:
  --skip-deps   Do not run scripts/install-deps.sh.
  --help        Show this help.
USAGE
}

configure() {
  if [[ -f "$PARLEY_BUILD_DIR/build.ninja" ]]; then
    return 0
  fi
  if [[ -f "$PARLEY_BUILD_DIR/CMakeCache.txt" ]]; then
    die "$PARLEY_BUILD_DIR is configured for a generator other than Ninja; delete it and run again"
  fi
  info "configuring $PARLEY_BUILD_DIR"
  cmake -S "$PARLEY_ROOT" -B "$PARLEY_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ||
    die "cmake configure failed; read the CMake output above"
}

print_binaries() {
  local binary
  for binary in "${BINARIES[@]}"; do
    if [[ -x "$PARLEY_BUILD_DIR/$binary" ]]; then
      info "built $PARLEY_BUILD_DIR/$binary"
    fi
  done
  if [[ -d "$PARLEY_BUILD_DIR/tests" ]]; then
    info "test binaries are in $PARLEY_BUILD_DIR/tests; run them with scripts/test.sh"
  fi
}

main() {
  local skip_deps=false
  local targets=()
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --skip-deps) skip_deps=true ;;
      --help | -h)
        usage
        return 0
        ;;
      -*) die "unknown option '$1'; see --help" ;;
      *) targets+=("$1") ;;
    esac
    shift
  done

  if [[ "$skip_deps" == false ]]; then
    "$PARLEY_ROOT/scripts/install-deps.sh"
  fi
  configure

  local jobs
  jobs="$(nproc)"
  info "building with $jobs jobs"
  ninja -C "$PARLEY_BUILD_DIR" -j "$jobs" "${targets[@]}" ||
    die "the build failed; the first compiler error above names the file to fix"
  print_binaries
}

main "$@"
