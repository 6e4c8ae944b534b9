#!/usr/bin/env bash
# Installs the Debian 12 packages that Parley needs to build, test and run its
# local cluster. Packages already installed are left alone, so running it
# again changes nothing.
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

# The one list of the project's Debian 12 packages.
readonly PACKAGES=(
  build-essential
  cmake
  ninja-build
  pkg-config
  git
  libboost1.81-all-dev
  libboost-json1.81-dev
  librdkafka-dev
  libpq-dev
  postgresql
  libsodium-dev
  libspdlog-dev
  libfmt-dev
  libgtest-dev
  libgmock-dev
  libbenchmark-dev
  clang
  clang-format
  libclang-rt-14-dev
  tzdata
  curl
  ca-certificates
  chromium
  chromium-driver
  nodejs
)

usage() {
  cat <<USAGE
Usage: scripts/install-deps.sh [--check] [--list]

Installs the Debian 12 packages that Parley needs, with apt-get. It runs
apt-get update and apt-get install only when a package is missing, and uses
sudo when not run as root.

Options:
  --check   Install nothing: list the missing packages and exit 1 if any is missing.
  --list    Print every package of the project, one per line, and exit.
  --help    Show this help.
USAGE
}

# Prints the packages of PACKAGES that dpkg does not report as installed.
# The browser tests also need npm. Debian's nodejs leaves it to the separate
# npm package, while other builds of nodejs bring their own npm and conflict
# with that package, so npm counts as missing only when no npm command exists.
missing_packages() {
  local package status
  for package in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
    if [[ "$status" != "installed" ]]; then
      printf '%s\n' "$package"
    fi
  done
  if ! command -v npm >/dev/null 2>&1; then
    printf 'npm\n'
  fi
}

warn_unless_debian_12() {
  local id="" version_id=""
  if [[ -r /etc/os-release ]]; then
    id="$(. /etc/os-release && printf '%s' "${ID:-}")"
    version_id="$(. /etc/os-release && printf '%s' "${VERSION_ID:-}")"
  fi
  if [[ "$id" != "debian" || "$version_id" != "12" ]]; then
    warn "this system is '${id:-unknown} ${version_id:-}', not Debian 12; package names may differ"
  fi
}

main() {
  local check_only=false
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --check) check_only=true ;;
      --list)
        printf '%s\n' "${PACKAGES[@]}"
        return 0
        ;;
      --help | -h)
        usage
        return 0
        ;;
      *) die "unknown option '$1'; see --help" ;;
    esac
    shift
  done

  if ! command -v dpkg-query >/dev/null 2>&1; then
    die "dpkg-query not found: this script needs Debian 12 (apt and dpkg)"
  fi
  warn_unless_debian_12

  local missing=()
  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    info "all ${#PACKAGES[@]} packages are installed"
    return 0
  fi
  if [[ "$check_only" == true ]]; then
    info "missing packages: ${missing[*]}"
    return 1
  fi

  info "installing missing packages: ${missing[*]}"
  run_as_root env DEBIAN_FRONTEND=noninteractive apt-get update ||
    die "apt-get update failed; check the apt sources in /etc/apt and the network, then run again"
  run_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}" ||
    die "apt-get install failed for: ${missing[*]}; read the apt output above"

  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -gt 0 ]]; then
    die "still not installed after apt-get install: ${missing[*]}"
  fi
  info "all ${#PACKAGES[@]} packages are installed"
}

main "$@"
