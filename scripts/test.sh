#!/usr/bin/env bash
# Builds Parley and runs its test suite with ctest: the unit tests first, then
# the integration tests.
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

readonly LABELS=(unit integration)
# Checks that are not ctest tests, run after the ctest runs when no CTEST_ARG
# narrows the run. Each is a command line relative to the repository root;
# its exit status decides whether it passed.
readonly STAGES=(
  "scripts/fuzz.sh --seconds 30"
  "scripts/test-browser.sh --no-build"
  "scripts/bench.sh --smoke"
)
# Maximum run time of one test in seconds. ctest stops a test that runs longer
# and counts it as failed.
readonly TEST_TIMEOUT="${PARLEY_TEST_TIMEOUT:-600}"

usage() {
  cat <<USAGE
Usage: scripts/test.sh [CTEST_ARG...]

Installs the dependencies and builds (scripts/build.sh), then runs ctest in
build/ twice: the tests labelled "unit" (in parallel, one job per CPU), then
those labelled "integration" (one at a time, because each starts its own
PostgreSQL, broker and nodes). It exits with status 1 when a test fails,
times out, or when no test matches.

Then, when no CTEST_ARG is given, it runs the further checks listed in
STAGES at the top of this script (each counts as one test).

Every CTEST_ARG is passed to both ctest runs, for example
  scripts/test.sh -R cluster       runs only the tests whose name matches "cluster"
  scripts/test.sh --repeat until-fail:3

Run it as root or as a regular user: the tests start PostgreSQL as the
"postgres" user when run as root, and as the current user otherwise.

Environment:
  PARLEY_TEST_TIMEOUT   Maximum run time of one test in seconds (default 600).
USAGE
}

# Prints how many tests of a label match the ctest arguments.
count_tests() {
  local label="$1"
  shift
  ctest --test-dir "$PARLEY_BUILD_DIR" -N -L "^${label}\$" "$@" |
    sed -n 's/^Total Tests: \([0-9]*\)$/\1/p'
}

count_unlabelled_tests() {
  ctest --test-dir "$PARLEY_BUILD_DIR" -N -LE "^(unit|integration)\$" "$@" |
    sed -n 's/^Total Tests: \([0-9]*\)$/\1/p'
}

main() {
  case "${1:-}" in
    --help | -h)
      usage
      return 0
      ;;
  esac
  if [[ ! "$TEST_TIMEOUT" =~ ^[1-9][0-9]*$ ]]; then
    die "PARLEY_TEST_TIMEOUT must be a positive number of seconds, got '$TEST_TIMEOUT'"
  fi

  "$PARLEY_ROOT/scripts/build.sh"

  local output
  output="$(mktemp)"
  # shellcheck disable=SC2064  # expand $output now, the variable is local
  trap "rm -f -- '$output'" EXIT

  local label count jobs summary failed_count run_failed
  local total_passed=0 total_failed=0 failed_labels=()
  for label in "${LABELS[@]}"; do
    count="$(count_tests "$label" "$@")"
    if [[ -z "$count" || "$count" -eq 0 ]]; then
      info "no $label tests match; skipping the $label run"
      continue
    fi

    jobs=1
    if [[ "$label" == unit ]]; then
      jobs="$(nproc)"
    fi
    info "running $count $label test(s)"
    run_failed=false
    ctest --test-dir "$PARLEY_BUILD_DIR" --output-on-failure --timeout "$TEST_TIMEOUT" \
      -j "$jobs" -L "^${label}\$" "$@" | tee "$output" || run_failed=true

    # ctest ends with "NN% tests passed, F tests failed out of T".
    summary="$(sed -n 's/.*tests passed, \([0-9]*\) tests\{0,1\} failed out of \([0-9]*\).*/\1 \2/p' \
      "$output" | tail -n 1)"
    if [[ -z "$summary" ]]; then
      warn "the $label run printed no ctest summary; counting all $count test(s) as failed"
      summary="$count $count"
      run_failed=true
    fi
    if [[ "$run_failed" == true ]]; then
      failed_labels+=("$label")
    fi
    failed_count="${summary% *}"
    total_failed=$((total_failed + failed_count))
    total_passed=$((total_passed + ${summary#* } - failed_count))
  done

  local unlabelled
  unlabelled="$(count_unlabelled_tests "$@")"
  if [[ -n "$unlabelled" && "$unlabelled" -gt 0 ]]; then
    warn "$unlabelled test(s) have neither the label unit nor integration and did not run;" \
      "give them a LABEL in parley_test()"
  fi

  local stage
  if [[ $# -eq 0 ]]; then
    for stage in "${STAGES[@]}"; do
      info "running $stage"
      # Word splitting is wanted: each entry is a command and its arguments.
      # shellcheck disable=SC2086
      if (cd -- "$PARLEY_ROOT" && $stage); then
        total_passed=$((total_passed + 1))
      else
        warn "$stage failed"
        total_failed=$((total_failed + 1))
        failed_labels+=("$stage")
      fi
    done
  fi

  printf 'tests: %d passed, %d failed\n' "$total_passed" "$total_failed"
  if ((total_passed + total_failed == 0)); then
    die "no test ran; check the ctest arguments, and that $PARLEY_BUILD_DIR contains test targets"
  fi
  if [[ ${#failed_labels[@]} -gt 0 ]]; then
    die "the ${failed_labels[*]} run(s) failed; the ctest output above shows each failing test"
  fi
  info "all tests passed"
}

main "$@"
