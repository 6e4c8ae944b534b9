#!/usr/bin/env bash
# Starts a fresh local Parley cluster (PostgreSQL, parley-devbroker and
# three nodes) in a temporary folder, runs parley-bench workloads against
# it, writes their results to a folder and stops everything it started.
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

readonly PG_BIN="/usr/lib/postgresql/15/bin"
readonly NODE_COUNT=3
# Timeouts in seconds.
readonly START_TIMEOUT=60
readonly STOP_TIMEOUT=10

build_dir="$PARLEY_BUILD_DIR"
results_dir=""
smoke=false
workloads=(fanout rooms history idle reconnect)
first_port=18180
pg_port=15433

# What this run started, so that cleanup stops exactly that.
work_dir=""
node_pids=()
node_ports=()
devbroker_pid=""
postgres_started=false
postgres_pid=""
bootstrap_servers=""

usage() {
  cat <<USAGE
Usage: scripts/bench.sh [--smoke] [--results DIR] [--build-dir DIR]
                        [--workloads LIST] [--first-port P] [--pg-port P]

Builds nothing: it uses parley-server, parley-devbroker and parley-bench from
the build folder (default build/, made by scripts/build.sh). It starts a fresh
cluster on 127.0.0.1 in a temporary folder (PostgreSQL as the postgres user
when run as root, the mock Kafka cluster, $NODE_COUNT nodes with cheap Argon2id
settings so that account set-up is fast), runs the workloads one after the
other, writes one JSON file and one log per workload to the results folder,
and stops everything it started, also on error or Ctrl-C.

Options:
  --smoke           Run every workload for a few seconds with tens of
                    connections. No timing checks: it fails only when
                    parley-bench reports an error (lost or missing messages,
                    failed connections or set-up).
  --results DIR     Folder for the results (default: BUILD_DIR/bench-results/DATE).
  --build-dir DIR   Folder with the built binaries (default: build).
  --workloads LIST  Comma-separated subset of: ${workloads[*]}.
                    reconnect kills a node, so it always runs last.
  --first-port P    Port of the first node; node i listens on P+i (default $first_port).
  --pg-port P       Port of PostgreSQL (default $pg_port).
USAGE
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --smoke) smoke=true ;;
      --results)
        results_dir="${2:?--results needs a folder}"
        shift
        ;;
      --build-dir)
        build_dir="${2:?--build-dir needs a folder}"
        shift
        ;;
      --workloads)
        IFS=',' read -r -a workloads <<<"${2:?--workloads needs a list}"
        shift
        ;;
      --first-port)
        first_port="${2:?--first-port needs a port}"
        shift
        ;;
      --pg-port)
        pg_port="${2:?--pg-port needs a port}"
        shift
        ;;
      --help | -h)
        usage
        exit 0
        ;;
      *) die "unknown option '$1'; see --help" ;;
    esac
    shift
  done
  if [[ -z "$results_dir" ]]; then
    results_dir="$build_dir/bench-results/$(date -u +%Y%m%dT%H%M%SZ)"
  fi
}

start_postgres() {
  local data="$work_dir/postgres" socket_dir="$work_dir/socket" log="$work_dir/postgres.log"
  mkdir -p -- "$data" "$socket_dir"
  touch -- "$log"
  if is_root; then
    chown postgres:postgres -- "$work_dir" "$data" "$socket_dir" "$log"
  fi
  chmod 700 -- "$data"
  as_postgres_user "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
    --no-locale >>"$log" 2>&1 || die "initdb failed; see $log"
  postgres_started=true
  as_postgres_user "$PG_BIN/pg_ctl" start -D "$data" -l "$log" -w -t "$START_TIMEOUT" \
    -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories='$socket_dir'" \
    >/dev/null || die "PostgreSQL failed to start; see $log"
  postgres_pid="$(head -n 1 "$data/postmaster.pid")"
  local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres)
  "${psql[@]}" -c "CREATE ROLE parley LOGIN" >/dev/null
  "${psql[@]}" -c "CREATE DATABASE parley OWNER parley" >/dev/null
  info "PostgreSQL runs on 127.0.0.1:$pg_port (PID $postgres_pid)"
}

start_devbroker() {
  local out="$work_dir/devbroker.stdout"
  : >"$out"
  setsid "$build_dir/src/devbroker/parley-devbroker" >"$out" 2>"$work_dir/devbroker.log" </dev/null &
  devbroker_pid=$!
  local deadline=$((SECONDS + START_TIMEOUT)) line=""
  until line="$(grep -m 1 '^bootstrap\.servers=' "$out")"; do
    kill -0 "$devbroker_pid" 2>/dev/null || die "parley-devbroker exited; see $work_dir/devbroker.log"
    ((SECONDS < deadline)) || die "parley-devbroker printed no bootstrap.servers line in $START_TIMEOUT s"
    sleep 0.2
  done
  bootstrap_servers="${line#bootstrap.servers=}"
  info "parley-devbroker runs (PID $devbroker_pid), bootstrap servers $bootstrap_servers"
}

start_nodes() {
  local i port
  for ((i = 0; i < NODE_COUNT; i++)); do
    port=$((first_port + i))
    # Argon2id at its minimum cost (1 pass, 8 KiB) makes creating thousands
    # of accounts fast. These settings are for benchmarks only.
    setsid "$build_dir/src/server/parley-server" --port "$port" --listen-address 127.0.0.1 \
      --database-url "postgresql://parley@127.0.0.1:$pg_port/parley" \
      --kafka-bootstrap-servers "$bootstrap_servers" \
      --argon2-ops-limit 1 --argon2-mem-limit-kib 8 \
      >"$work_dir/node-$port.log" 2>&1 </dev/null &
    node_pids+=("$!")
    node_ports+=("$port")
  done
  local deadline=$((SECONDS + START_TIMEOUT))
  for i in "${!node_pids[@]}"; do
    port="${node_ports[$i]}"
    until curl --noproxy '*' -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; do
      kill -0 "${node_pids[$i]}" 2>/dev/null || die "the node on port $port exited; see $work_dir/node-$port.log"
      ((SECONDS < deadline)) || die "the node on port $port was not ready within $START_TIMEOUT s"
      sleep 0.5
    done
  done
  info "nodes ready on ports ${node_ports[*]} (PIDs ${node_pids[*]})"
}

stop_pids() {
  local pid alive=()
  for pid in "$@"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      alive+=("$pid")
    fi
  done
  local deadline=$((SECONDS + STOP_TIMEOUT))
  for pid in "${alive[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      warn "PID $pid did not stop within $STOP_TIMEOUT s after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
}

cleanup() {
  local status=$?
  trap '' INT TERM
  trap - EXIT
  if [[ ${#node_pids[@]} -gt 0 ]]; then stop_pids "${node_pids[@]}"; fi
  if [[ -n "$devbroker_pid" ]]; then stop_pids "$devbroker_pid"; fi
  if [[ "$postgres_started" == true ]]; then
    as_postgres_user "$PG_BIN/pg_ctl" stop -D "$work_dir/postgres" -m fast -w -t 60 >/dev/null ||
      warn "pg_ctl stop failed; see $work_dir/postgres.log"
  fi
  if [[ -n "$work_dir" && -d "$work_dir" ]]; then
    mkdir -p -- "$results_dir/logs"
    cp -- "$work_dir"/*.log "$results_dir/logs/" 2>/dev/null || true
    rm -rf -- "$work_dir"
  fi
  exit "$status"
}

# Prints the parley-bench flags of one workload: tiny sizes with --smoke,
# the sizes of the benchmark targets otherwise.
workload_flags() {
  local workload="$1" victim_pid="$2"
  if [[ "$smoke" == true ]]; then
    case "$workload" in
      fanout) echo "--subscribers 20 --senders 2 --rates 20,40 --step-seconds 2 --p99-bound-ms 1e9" ;;
      rooms) echo "--rooms 5 --members 4 --rates 20 --step-seconds 2" ;;
      history) echo "--rooms 2 --members 3 --rates 50 --step-seconds 2 --drain-seconds 10" ;;
      idle) echo "--connections 30 --accounts 5 --hold-seconds 1" ;;
      reconnect) echo "--clients 20 --rate 20 --kill-pid $victim_pid" ;;
    esac
    return
  fi
  case "$workload" in
    fanout) echo "--subscribers 1000 --senders 10 --rate 100 --step-factor 2 --max-steps 6 --p99-bound-ms 1000" ;;
    rooms) echo "--rooms 1000 --members 10 --rates 1000,2000,4000,8000 --p99-bound-ms 1000" ;;
    history) echo "--rooms 100 --members 10 --rates 2000,5000,10000 --drain-seconds 30" ;;
    idle) echo "--connections $(idle_connections) --accounts 1000 --hold-seconds 10" ;;
    # Every message goes to all clients, so rate x clients (20,000
    # deliveries/s) stays below the fan-out capacity measured in
    # docs/benchmarks.md and the test times resumption, not a backlog.
    reconnect) echo "--clients 10000 --rate 2 --kill-pid $victim_pid" ;;
  esac
}

# The idle workload opens as many connections as the descriptor limit of
# this shell allows, up to the target of 50,000.
idle_connections() {
  local limit
  limit="$(ulimit -Hn)"
  if [[ "$limit" == unlimited ]] || ((limit > 50100)); then
    echo 50000
  else
    echo $((limit - 100))
  fi
}

run_workloads() {
  local urls="" pids ordered=() workload status=0
  local port
  for port in "${node_ports[@]}"; do urls+="${urls:+,}ws://127.0.0.1:$port/"; done
  pids="$(IFS=','; echo "${node_pids[*]}")"
  for workload in "${workloads[@]}"; do
    [[ "$workload" == reconnect ]] || ordered+=("$workload")
  done
  for workload in "${workloads[@]}"; do
    [[ "$workload" != reconnect ]] || ordered+=("$workload")
  done
  for workload in "${ordered[@]}"; do
    info "running $workload"
    # shellcheck disable=SC2046  # the flags are words by design
    if ! "$build_dir/bench/load/parley-bench" "$workload" --nodes "$urls" --node-pids "$pids" \
      --broker-pid "$devbroker_pid" --postgres-pid "$postgres_pid" \
      --json "$results_dir/$workload.json" $(workload_flags "$workload" "${node_pids[0]}") \
      2>&1 | tee "$results_dir/$workload.txt"; then
      warn "$workload failed; see $results_dir/$workload.txt"
      status=1
    fi
    save_metrics "$workload"
  done
  return "$status"
}

# Saves every live node's GET /metrics page after a workload, as
# metrics/WORKLOAD-PORT.txt. The counters are totals since the node started.
save_metrics() {
  local workload="$1" port
  mkdir -p "$results_dir/metrics"
  for port in "${node_ports[@]}"; do
    curl --silent --max-time 5 "http://127.0.0.1:$port/metrics" \
      >"$results_dir/metrics/$workload-$port.txt" || rm -f "$results_dir/metrics/$workload-$port.txt"
  done
}

main() {
  parse_args "$@"
  local binary
  for binary in src/server/parley-server src/devbroker/parley-devbroker bench/load/parley-bench; do
    [[ -x "$build_dir/$binary" ]] || die "$build_dir/$binary not found; build it with scripts/build.sh"
  done
  local port
  for ((port = first_port; port < first_port + NODE_COUNT; port++)); do
    ! port_in_use "$port" || die "port $port is in use; choose other ports with --first-port"
  done
  ! port_in_use "$pg_port" || die "port $pg_port is in use; choose another with --pg-port"
  ulimit -n "$(ulimit -Hn)"
  mkdir -p -- "$results_dir"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  work_dir="$(mktemp -d /tmp/parley-bench.XXXXXX)"
  chmod 755 -- "$work_dir"
  start_postgres
  start_devbroker
  start_nodes
  run_workloads
  info "results in $results_dir"
}

main "$@"
