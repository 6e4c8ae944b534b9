#!/usr/bin/env bash
# Starts a local Parley cluster (PostgreSQL, the development Kafka broker and
# N parley-server nodes), supervises it, and stops everything it started on
# Ctrl-C or SIGTERM.
set -euo pipefail

# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname -- "${BASH_SOURCE[0]}")/common.sh"

readonly PG_BIN="/usr/lib/postgresql/15/bin"
readonly PG_PORT=55432
readonly CLUSTER_DIR="$PARLEY_ROOT/.cluster"
readonly PG_DATA="$CLUSTER_DIR/postgres"
readonly PG_SOCKET_DIR="$CLUSTER_DIR/socket"
readonly LOG_DIR="$CLUSTER_DIR/logs"
readonly PG_LOG="$LOG_DIR/postgres.log"
readonly DEVBROKER_LOG="$LOG_DIR/devbroker.log"
readonly DEVBROKER_STDOUT="$LOG_DIR/devbroker.stdout"
readonly DATABASE_URL="postgresql://parley@127.0.0.1:$PG_PORT/parley"
readonly SERVER="$PARLEY_BUILD_DIR/src/server/parley-server"
readonly DEVBROKER="$PARLEY_BUILD_DIR/src/devbroker/parley-devbroker"
# Timeouts in seconds.
readonly DEVBROKER_START_TIMEOUT=30
readonly NODE_READY_TIMEOUT=60
readonly STOP_TIMEOUT=10
# The kernel limits a Unix socket path to 108 bytes, terminator included.
readonly MAX_SOCKET_PATH=107

node_count=3
first_port=8080
fresh=false
build=true
extra_node_flags=()

# What this run started, so that cleanup stops exactly that.
node_pids=()
node_ports=()
devbroker_pid=""
bootstrap_servers=""
postgres_started=false
postgres_pid=""
sleep_pid=""
# Name of each started process by PID, for messages.
declare -A process_names=()

usage() {
  cat <<USAGE
Usage: scripts/run-cluster.sh [--nodes N] [--first-port P] [--fresh] [--no-build]
                              [-- NODE_FLAG...]

Builds Parley if needed (scripts/build.sh), then starts a local cluster on
127.0.0.1 and keeps it running until Ctrl-C or SIGTERM:
  - PostgreSQL 15 on port $PG_PORT, data in .cluster/postgres (kept between runs),
    with role and database "parley";
  - parley-devbroker, librdkafka's in-memory mock Kafka cluster;
  - N parley-server nodes on ports P, P+1, ..., each with its log in .cluster/logs.
On Ctrl-C or SIGTERM it stops the nodes (SIGTERM, then SIGKILL after
$STOP_TIMEOUT s), the broker and PostgreSQL, and exits with status 0.

Options:
  --nodes N        Number of parley-server nodes (default 3).
  --first-port P   TCP port of the first node; node i listens on P+i (default 8080).
  --fresh          Delete .cluster first: the database and the logs start empty.
  --no-build       Do not run scripts/build.sh; use the binaries already in build/.
  --help           Show this help.
  -- NODE_FLAG...  Pass the remaining arguments to every node, for example
                   -- --log-level debug. PARLEY_* environment variables also
                   reach the nodes, and the flags set here win over them.

Notes:
  - The mock Kafka cluster listens on random ports and keeps topics in memory:
    when it restarts, every record in its topics is gone, while PostgreSQL
    keeps the stored history.
  - Each run truncates the node and broker logs; PostgreSQL appends to its log.
  - It refuses to start when a node port or port $PG_PORT is already in use.
USAGE
}

# Reads a positive integer option value or dies naming the option.
parse_count() {
  local option="$1" value="${2:-}"
  if [[ ! "$value" =~ ^[0-9]+$ ]] || ((10#$value == 0)); then
    die "$option needs a positive integer, got '${value}'"
  fi
  printf '%d' "$((10#$value))"
}

parse_args() {
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --nodes)
        node_count="$(parse_count --nodes "${2:-}")"
        shift
        ;;
      --first-port)
        first_port="$(parse_count --first-port "${2:-}")"
        shift
        ;;
      --fresh) fresh=true ;;
      --no-build) build=false ;;
      --help | -h)
        usage
        exit 0
        ;;
      --)
        shift
        extra_node_flags=("$@")
        break
        ;;
      *) die "unknown option '$1'; see --help" ;;
    esac
    shift
  done

  local last_port=$((first_port + node_count - 1))
  if ((first_port < 1024 || last_port > 65535)); then
    die "node ports $first_port..$last_port are outside 1024..65535; change --first-port or --nodes"
  fi
  if ((first_port <= PG_PORT && PG_PORT <= last_port)); then
    die "node ports $first_port..$last_port include PostgreSQL's port $PG_PORT; change --first-port"
  fi
}

check_ports_free() {
  local port
  for ((port = first_port; port < first_port + node_count; port++)); do
    if port_in_use "$port"; then
      die "port $port is in use; stop the program listening there or choose other ports with --first-port"
    fi
  done
  if port_in_use "$PG_PORT"; then
    die "port $PG_PORT (PostgreSQL of the local cluster) is in use; stop the program listening there"
  fi
}

# Prints the last lines of a log file, indented, for an error message.
log_tail() {
  if [[ -s "$1" ]]; then
    printf '  last lines of %s:\n' "$1"
    tail -n 20 "$1" | sed 's/^/    /'
  fi
}

# Succeeds when a PostgreSQL server runs on the data directory of .cluster.
postgres_running() {
  [[ -f "$PG_DATA/postmaster.pid" ]] &&
    as_postgres_user "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1
}

check_no_earlier_postgres() {
  if postgres_running; then
    die "PostgreSQL of an earlier run still uses $PG_DATA; stop it with:" \
      "$(is_root && printf 'runuser -u postgres -- ')$PG_BIN/pg_ctl stop -D $PG_DATA -m fast"
  fi
}

prepare_cluster_dir() {
  if [[ "$fresh" == true && -e "$CLUSTER_DIR" ]]; then
    info "deleting $CLUSTER_DIR (--fresh)"
    rm -rf -- "$CLUSTER_DIR" || die "failed to delete $CLUSTER_DIR; delete it by hand and run again"
  fi
  mkdir -p -- "$LOG_DIR" "$PG_SOCKET_DIR"

  local socket_path="$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT"
  if ((${#socket_path} > MAX_SOCKET_PATH)); then
    die "the PostgreSQL socket path $socket_path is longer than $MAX_SOCKET_PATH bytes; move the repository to a shorter path"
  fi

  touch -- "$PG_LOG"
  if is_root; then
    id postgres >/dev/null 2>&1 ||
      die "user 'postgres' not found; install the postgresql package with scripts/install-deps.sh"
    chown postgres:postgres -- "$PG_SOCKET_DIR" "$PG_LOG"
    runuser -u postgres -- test -w "$PG_SOCKET_DIR" ||
      die "user 'postgres' cannot write to $PG_SOCKET_DIR; make every parent folder searchable (chmod o+x) or run as a regular user"
  fi
}

init_postgres() {
  if [[ -f "$PG_DATA/PG_VERSION" ]]; then
    return 0
  fi
  if [[ -d "$PG_DATA" ]] && [[ -n "$(ls -A -- "$PG_DATA")" ]]; then
    die "$PG_DATA is not empty but contains no PostgreSQL data directory; run with --fresh"
  fi
  info "creating the PostgreSQL data directory $PG_DATA"
  mkdir -p -- "$PG_DATA"
  if is_root; then
    chown postgres:postgres -- "$PG_DATA"
  fi
  chmod 700 -- "$PG_DATA"
  # Trust authentication is acceptable here because the server listens only on
  # 127.0.0.1 and on a socket inside .cluster: only users of this machine reach
  # it. A shared or production database needs passwords (scram-sha-256).
  as_postgres_user "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust \
    --encoding=UTF8 --no-locale >>"$PG_LOG" 2>&1 ||
    die "initdb failed for $PG_DATA; see $PG_LOG"
}

start_postgres() {
  info "starting PostgreSQL on 127.0.0.1:$PG_PORT (log: $PG_LOG)"
  postgres_started=true
  if ! as_postgres_user "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories='$PG_SOCKET_DIR'" \
    >/dev/null; then
    log_tail "$PG_LOG" >&2
    die "PostgreSQL failed to start; see $PG_LOG"
  fi
  # The first line of postmaster.pid is the PID of the postmaster.
  postgres_pid="$(head -n 1 "$PG_DATA/postmaster.pid")"
}

# Runs one SQL statement as the superuser and prints the result unaligned.
psql_superuser() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres \
    -tAc "$1"
}

create_role_and_database() {
  if [[ -z "$(psql_superuser "SELECT 1 FROM pg_roles WHERE rolname = 'parley'")" ]]; then
    info "creating role parley"
    psql_superuser "CREATE ROLE parley LOGIN" || die "failed to create role parley; see $PG_LOG"
  fi
  if [[ -z "$(psql_superuser "SELECT 1 FROM pg_database WHERE datname = 'parley'")" ]]; then
    info "creating database parley"
    psql_superuser "CREATE DATABASE parley OWNER parley" ||
      die "failed to create database parley; see $PG_LOG"
  fi
}

# Starts parley-devbroker in its own session, so that a Ctrl-C in the terminal
# reaches only this script, which then stops the children in order.
start_devbroker() {
  info "starting parley-devbroker (log: $DEVBROKER_LOG)"
  # Truncate here, not only in the redirection of the background job: the
  # loop below could otherwise read the line of an earlier run before the
  # job has opened the file.
  : >"$DEVBROKER_STDOUT"
  : >"$DEVBROKER_LOG"
  setsid "$DEVBROKER" >"$DEVBROKER_STDOUT" 2>"$DEVBROKER_LOG" </dev/null &
  devbroker_pid=$!
  process_names[$devbroker_pid]="parley-devbroker"

  local deadline=$((SECONDS + DEVBROKER_START_TIMEOUT))
  local line=""
  while [[ -z "$line" ]]; do
    line="$(grep -m 1 '^bootstrap\.servers=' "$DEVBROKER_STDOUT" || true)"
    if [[ -n "$line" ]]; then
      break
    fi
    if ! kill -0 "$devbroker_pid" 2>/dev/null; then
      log_tail "$DEVBROKER_LOG" >&2
      die "parley-devbroker exited during start-up; see $DEVBROKER_LOG"
    fi
    if ((SECONDS >= deadline)); then
      log_tail "$DEVBROKER_LOG" >&2
      die "parley-devbroker printed no bootstrap.servers line within $DEVBROKER_START_TIMEOUT s; see $DEVBROKER_LOG"
    fi
    sleep 0.2
  done
  bootstrap_servers="${line#bootstrap.servers=}"
  info "Kafka bootstrap servers: $bootstrap_servers"
}

node_log() {
  printf '%s/node-%s.log' "$LOG_DIR" "$1"
}

start_nodes() {
  local i port
  for ((i = 0; i < node_count; i++)); do
    port=$((first_port + i))
    info "starting parley-server on port $port (log: $(node_log "$port"))"
    : >"$(node_log "$port")"
    setsid "$SERVER" --port "$port" --listen-address 127.0.0.1 \
      --database-url "$DATABASE_URL" --kafka-bootstrap-servers "$bootstrap_servers" \
      "${extra_node_flags[@]}" >"$(node_log "$port")" 2>&1 </dev/null &
    node_pids+=("$!")
    process_names[$!]="the node on port $port"
    node_ports+=("$port")
  done
}

# Waits until GET /readyz of every node returns 200. --noproxy keeps curl
# from sending loopback requests to a proxy named in the environment.
wait_nodes_ready() {
  local deadline=$((SECONDS + NODE_READY_TIMEOUT))
  local i port log
  for i in "${!node_pids[@]}"; do
    port="${node_ports[$i]}"
    log="$(node_log "$port")"
    until curl --noproxy '*' -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; do
      if ! kill -0 "${node_pids[$i]}" 2>/dev/null; then
        log_tail "$log" >&2
        die "the node on port $port exited during start-up; see $log"
      fi
      if ((SECONDS >= deadline)); then
        log_tail "$log" >&2
        die "the node on port $port did not return 200 on GET /readyz within $NODE_READY_TIMEOUT s; see $log"
      fi
      sleep 0.5
    done
  done
}

print_summary() {
  local port
  info "the cluster is ready"
  printf '\nWebSocket URLs:\n'
  for port in "${node_ports[@]}"; do
    printf '  ws://127.0.0.1:%s/\n' "$port"
  done
  local web_url="http://127.0.0.1:${node_ports[0]}/"
  local content_type
  content_type="$(curl --noproxy '*' -fsS -o /dev/null -w '%{content_type}' --max-time 2 \
    "$web_url" 2>/dev/null || true)"
  if [[ "$content_type" == text/html* ]]; then
    printf 'Web client:  %s\n' "$web_url"
  fi
  printf 'Database:    %s\n' "$DATABASE_URL"
  printf 'Kafka:       %s\n' "$bootstrap_servers"
  printf 'Logs:        %s\n\n' "$LOG_DIR"
  info "press Ctrl-C to stop the cluster"
}

# Reports nodes that exit, and stops the cluster when the broker or
# PostgreSQL exits, because no node works without them.
supervise() {
  local reported=()
  local i status
  while true; do
    sleep 1 &
    sleep_pid=$!
    wait "$sleep_pid" || true
    sleep_pid=""

    for i in "${!node_pids[@]}"; do
      if [[ -z "${reported[$i]:-}" ]] && ! kill -0 "${node_pids[$i]}" 2>/dev/null; then
        status=0
        wait "${node_pids[$i]}" 2>/dev/null || status=$?
        warn "the node on port ${node_ports[$i]} exited with status $status; see $(node_log "${node_ports[$i]}")"
        reported[i]=1
      fi
    done
    if ! kill -0 "$devbroker_pid" 2>/dev/null; then
      die "parley-devbroker exited; see $DEVBROKER_LOG. Stopping the cluster."
    fi
    if ! kill -0 "$postgres_pid" 2>/dev/null; then
      die "PostgreSQL exited; see $PG_LOG. Stopping the cluster."
    fi
  done
}

# Sends SIGTERM to the given PIDs, waits up to STOP_TIMEOUT seconds for all of
# them, then sends SIGKILL to those still running and reaps them.
stop_processes() {
  local pids=("$@") pid
  local alive=()
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      alive+=("$pid")
    fi
  done

  local deadline=$((SECONDS + STOP_TIMEOUT))
  while [[ ${#alive[@]} -gt 0 ]] && ((SECONDS < deadline)); do
    sleep 0.1
    local still=()
    for pid in "${alive[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then
        still+=("$pid")
      fi
    done
    alive=("${still[@]}")
  done

  for pid in "${alive[@]}"; do
    warn "${process_names[$pid]:-process} (PID $pid) did not stop within $STOP_TIMEOUT s after SIGTERM; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}

# Stops what this run started: the nodes, then the broker, then PostgreSQL.
# It runs on every exit, also after an error during start-up.
cleanup() {
  local status=$?
  trap '' INT TERM
  trap - EXIT
  if [[ -n "$sleep_pid" ]]; then
    kill "$sleep_pid" 2>/dev/null || true
  fi
  if [[ ${#node_pids[@]} -gt 0 ]]; then
    info "stopping ${#node_pids[@]} node(s)"
    stop_processes "${node_pids[@]}"
  fi
  if [[ -n "$devbroker_pid" ]]; then
    info "stopping parley-devbroker"
    stop_processes "$devbroker_pid"
  fi
  if [[ "$postgres_started" == true ]] && postgres_running; then
    info "stopping PostgreSQL"
    as_postgres_user "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null ||
      warn "pg_ctl stop failed; see $PG_LOG"
  fi
  exit "$status"
}

on_signal() {
  info "received $1, stopping the cluster"
  exit 0
}

main() {
  parse_args "$@"
  trap cleanup EXIT
  trap 'on_signal SIGINT' INT
  trap 'on_signal SIGTERM' TERM

  if [[ "$build" == true ]]; then
    "$PARLEY_ROOT/scripts/build.sh"
  fi
  local binary
  for binary in "$SERVER" "$DEVBROKER"; do
    [[ -x "$binary" ]] || die "$binary not found; build it with scripts/build.sh and fix the errors it shows"
  done
  [[ -x "$PG_BIN/pg_ctl" ]] ||
    die "$PG_BIN/pg_ctl not found; install PostgreSQL 15 with scripts/install-deps.sh"

  check_no_earlier_postgres
  check_ports_free
  prepare_cluster_dir
  init_postgres
  start_postgres
  create_role_and_database
  start_devbroker
  start_nodes
  wait_nodes_ready
  print_summary
  supervise
}

main "$@"
