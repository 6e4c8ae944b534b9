#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer in their own build directory, then runs each one
# for a bounded time on a copy of its seed corpus fuzz/corpus/<name>/.
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

seconds="${PARLEY_FUZZ_SECONDS:-30}"
rss_limit_mb="${PARLEY_FUZZ_RSS_LIMIT_MB:-2048}"
build_dir="${PARLEY_FUZZ_BUILD_DIR:-$PARLEY_ROOT/build-fuzz}"
jobs="${PARLEY_FUZZ_JOBS:-2}"
only=""

usage() {
  cat <<USAGE
Usage: scripts/fuzz.sh [--seconds N] [--only NAME] [--build-dir DIR]

Configures $build_dir with clang-14 and -fsanitize=address,undefined
(PARLEY_BUILD_FUZZERS=ON), builds every fuzzer of fuzz/, and runs each
NAME_fuzzer for N seconds on a scratch copy of fuzz/corpus/NAME/, so the
committed seed corpus stays unchanged. It exits with status 1 when a build
fails or when any fuzzer finds a crash, a leak, a timeout or a sanitizer
report; the reproducer is written to $build_dir/fuzz-artifacts/.

Options:
  --seconds N     Run time of each fuzzer in seconds (default 30,
                  or PARLEY_FUZZ_SECONDS).
  --only NAME     Run only NAME_fuzzer.
  --build-dir DIR Build directory (default build-fuzz, or PARLEY_FUZZ_BUILD_DIR).

Environment:
  PARLEY_FUZZ_RSS_LIMIT_MB  Memory limit of one fuzzer in MiB (default 2048).
  PARLEY_FUZZ_JOBS          Parallel build jobs (default 2).
USAGE
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds)
      seconds="${2:?--seconds needs a value}"
      shift 2
      ;;
    --only)
      only="${2:?--only needs a fuzzer name}"
      shift 2
      ;;
    --build-dir)
      build_dir="${2:?--build-dir needs a directory}"
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $1"
      ;;
  esac
done

[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || die "--seconds must be a positive integer, got '$seconds'"
command -v clang++-14 >/dev/null 2>&1 || die "clang++-14 not found; install clang-14 and libclang-rt-14-dev"

sanitizers="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi

info "configuring $build_dir"
cmake -S "$PARLEY_ROOT" -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 \
  "${launcher[@]}" \
  -DCMAKE_CXX_FLAGS="$sanitizers -fsanitize=fuzzer-no-link" \
  -DCMAKE_EXE_LINKER_FLAGS="$sanitizers" \
  -DPARLEY_BUILD_TESTS=OFF -DPARLEY_BUILD_FUZZERS=ON >/dev/null

info "building the fuzzers"
ninja -C "$build_dir" -j "$jobs" parley_fuzzers

artifacts="$build_dir/fuzz-artifacts"
scratch="$build_dir/fuzz-corpus"
mkdir -p "$artifacts"

# Leaks and sanitizer reports abort the run with a non-zero status.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

failed=()
ran=0
for fuzzer in "$build_dir"/fuzz/*_fuzzer; do
  [[ -x "$fuzzer" ]] || continue
  name="$(basename -- "$fuzzer" _fuzzer)"
  if [[ -n "$only" && "$name" != "$only" ]]; then
    continue
  fi
  seeds="$PARLEY_ROOT/fuzz/corpus/$name"
  [[ -d "$seeds" ]] || die "seed corpus $seeds is missing for $name"
  rm -rf "${scratch:?}/$name"
  mkdir -p "$scratch/$name"
  info "running $name for ${seconds}s"
  # timeout stops a fuzzer that ignores -max_total_time, for example one
  # stuck in a single input longer than -timeout allows.
  if timeout --signal=KILL $((seconds + 120)) "$fuzzer" \
    -max_total_time="$seconds" -rss_limit_mb="$rss_limit_mb" -timeout=10 \
    -artifact_prefix="$artifacts/$name-" -print_final_stats=1 \
    "$scratch/$name" "$seeds" >"$artifacts/$name.log" 2>&1; then
    info "$name: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$artifacts/$name.log" || echo 'done')"
  else
    warn "$name failed; log: $artifacts/$name.log"
    tail -n 40 "$artifacts/$name.log" >&2
    failed+=("$name")
  fi
  ran=$((ran + 1))
done

[[ "$ran" -gt 0 ]] || die "no fuzzer ran${only:+ (no fuzzer named $only)}"
if [[ ${#failed[@]} -gt 0 ]]; then
  die "fuzzers failed: ${failed[*]}"
fi
info "all $ran fuzzers ran ${seconds}s without a finding"
