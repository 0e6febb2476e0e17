#!/usr/bin/env bash
# The platform and its monitoring stack, started and looked after with one command (docs/stack.md).
# With a Docker engine it runs docker-compose.enhanced.yml; without one, local mode runs the ten services,
# Prometheus, Alertmanager and the exporters as native processes. This script parses the command line,
# chooses the mode, installs what is missing, and hands over to tools/stack (TypeScript).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLI="$ROOT/tools/stack/dist/cli.js"
STATE_DIR="${MONITORING_STATE_DIR:-$ROOT/.monitoring}"
PROGRAM="$(basename "$0")"

usage() {
  cat <<EOF
Usage: ./$PROGRAM [--local | --compose] <command> [arguments]

Commands:
  start               start everything that is not running, wait until it is healthy
  stop                stop everything (local mode: no process is left; compose: containers removed, volumes kept)
  restart             stop, then start
  status              each component: state, URL (and container health under compose)
  health              check every component for real; exits 1 naming what failed
  logs [-f] [name]    the end of one component's log, or of all; -f follows
  backup              write a timestamped archive: configuration, Prometheus snapshot, silences,
                      Grafana data (compose), PostgreSQL dump
  restore <archive>   check the archive, then bring its silences, database and Prometheus data back
  report              SLO compliance, error budgets, burn rates, firing alerts, last hour's business
  traffic [options]   realistic load through api-gateway until Ctrl-C (options: traffic --help;
                      docs/traffic.md)
  fault <fault> [value]   switch a fault on at run time (docs/alerting.md):
                      payment-provider-errors <percent>, payment-provider-down, trading-latency <ms>,
                      market-data-stall, signal-accuracy-drop, login-brute-force [ip],
                      service-stopped <service>
  fault clear [fault] switch one fault, or every fault, off again
  fault [status|list] the faults that are on / every fault and the alerts it should raise
  help                this text

Mode: start uses compose when a Docker engine answers (docker info), local mode otherwise; the other
commands use the mode of the last start. --local or --compose forces one.

Environment:
  MONITORING_STATE_DIR      state folder: mode, settings, secrets, pids, logs, data, backups (default .monitoring)
  BACKUP_DIR                where backup writes (default: the state folder's backups/)
  AI_FINANCE_ENV_FILE       compose's .env (default .env beside this script, made from .env.example)
  AI_FINANCE_PORT_<NAME>    a component's port, e.g. AI_FINANCE_PORT_PROMETHEUS=19090 (compose: the
                            published port the commands use)
  AI_FINANCE_NO_INSTALL=1   skip npm ci, the build and the package installs (CI and tests, which did them)
Local mode only:
  AI_FINANCE_PORT_BASE      move every port: a service keeps its distance from 3000, the rest follow base+100
  DATABASE_URL, REDIS_URL, RABBITMQ_URL, EVENTS_EXCHANGE, RABBITMQ_QUEUE_PREFIX, AI_FINANCE_REDIS_KEY_BASE
  PROMETHEUS_SCRAPE_INTERVAL, PROMETHEUS_EVALUATION_INTERVAL   (default: those of prometheus.yml)
  AI_FINANCE_RABBITMQ_PLUGIN=off   never enable RabbitMQ's Prometheus plugin on the broker
  AI_FINANCE_FAULT_INJECTION=off   start the services with their fault switches disabled
  AI_FINANCE_ALERT_TIME_SCALE=N    SLO windows and Alertmanager timers N times shorter (demos, the
                                   end-to-end alert test); default 1, real time
EOF
}

usage_error() {
  printf '%s: %s\n\n' "$PROGRAM" "$1" >&2
  usage >&2
  exit 2
}

say() { printf '%s\n' "$*"; }
fail() {
  printf '%s: %s\n' "$PROGRAM" "$*" >&2
  exit 1
}

# --- arguments -------------------------------------------------------------------------------------------
forced_mode=""
words=()
passthrough=false
for arg in "$@"; do
  # Everything after `traffic` belongs to the simulator, its options included.
  if [ "$passthrough" = true ]; then
    words+=("$arg")
    continue
  fi
  case "$arg" in
    traffic)
      words+=("$arg")
      [ "${#words[@]}" -gt 1 ] || passthrough=true
      ;;
    --local | --compose)
      [ -z "$forced_mode" ] || [ "$forced_mode" = "${arg#--}" ] || usage_error "--local and --compose exclude each other"
      forced_mode="${arg#--}"
      ;;
    -h | --help) words+=(help) ;;
    -f | --follow) words+=("$arg") ;;
    -*) usage_error "unknown option $arg" ;;
    *) words+=("$arg") ;;
  esac
done
[ "${#words[@]}" -gt 0 ] || usage_error "no command given"
command="${words[0]}"
args=()
[ "${#words[@]}" -lt 2 ] || args=("${words[@]:1}")

case "$command" in
  help)
    usage
    exit 0
    ;;
  start | stop | restart | status | health | backup | report)
    [ "${#args[@]}" -eq 0 ] || usage_error "$command takes no arguments (got: ${args[*]})"
    ;;
  logs)
    names=("${args[@]+"${args[@]}"}")
    if [ "${#args[@]}" -gt 0 ] && { [ "${args[0]}" = -f ] || [ "${args[0]}" = --follow ]; }; then names=("${args[@]:1}"); fi
    [ "${#names[@]}" -le 1 ] || usage_error "logs takes at most one component (got: ${names[*]})"
    case "${names[0]:-}" in -*) usage_error "-f goes before the component name" ;; esac
    ;;
  restore)
    [ "${#args[@]}" -eq 1 ] || usage_error "restore takes exactly one archive"
    case "${args[0]}" in -f | --follow) usage_error "restore takes an archive, not ${args[0]}" ;; esac
    ;;
  traffic) ;;
  fault)
    [ "${#args[@]}" -le 2 ] || usage_error "fault takes a fault and at most one value (got: ${args[*]})"
    ;;
  *) usage_error "unknown command: $command" ;;
esac

# --- mode ------------------------------------------------------------------------------------------------
docker_answers() {
  command -v docker >/dev/null 2>&1 || return 1
  if command -v timeout >/dev/null 2>&1; then timeout 15 docker info >/dev/null 2>&1; else docker info >/dev/null 2>&1; fi
}

local_processes_recorded() {
  compgen -G "$STATE_DIR/pids/*.pid" >/dev/null 2>&1
}

choose_mode() {
  if [ -n "$forced_mode" ]; then
    printf '%s' "$forced_mode"
  elif { [ "$command" != start ] && [ "$command" != restart ]; } && [ -f "$STATE_DIR/mode" ]; then
    tr -d '[:space:]' <"$STATE_DIR/mode"
  elif local_processes_recorded; then
    printf 'local' # a local stack is running: stop it before switching to compose
  elif docker_answers; then
    printf 'compose'
  else
    printf 'local'
  fi
}

# --- installation ----------------------------------------------------------------------------------------
export NX_DAEMON=false NX_NO_CLOUD=true

ensure_node() {
  command -v node >/dev/null 2>&1 || fail "Node.js 20.19 or later is needed (https://nodejs.org, or apt-get install nodejs)"
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
    fail "Node.js 20.19 or later is needed (found $(node --version))"
}

ensure_dependencies() {
  if [ ! -f "$ROOT/node_modules/.package-lock.json" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    say "installing npm dependencies (npm ci)"
    (cd "$ROOT" && npm ci --no-audit --no-fund)
  fi
}

# Nx builds what changed and takes the rest from its cache: about a second when nothing did.
build() {
  (umask 077 && mkdir -p "$STATE_DIR/logs")
  say "building (nx run-many -t build)"
  if ! (cd "$ROOT" && npx nx run-many -t build --outputStyle=static) >"$STATE_DIR/logs/build.log" 2>&1; then
    tail -n 40 "$STATE_DIR/logs/build.log" >&2
    fail "the build failed; its whole output is in $STATE_DIR/logs/build.log"
  fi
}

have_any() {
  local name
  for name in "$@"; do command -v "$name" >/dev/null 2>&1 && return 0; done
  return 1
}

# The native programs of local mode, by Debian package.
ensure_native_programs() {
  local missing=()
  have_any prometheus || missing+=(prometheus)
  have_any prometheus-alertmanager alertmanager || missing+=(prometheus-alertmanager)
  have_any prometheus-node-exporter node_exporter || missing+=(prometheus-node-exporter)
  have_any prometheus-postgres-exporter postgres_exporter || missing+=(prometheus-postgres-exporter)
  have_any prometheus-redis-exporter redis_exporter || missing+=(prometheus-redis-exporter)
  have_any prometheus-blackbox-exporter blackbox_exporter || missing+=(prometheus-blackbox-exporter)
  { have_any pg_dump && have_any psql; } || missing+=(postgresql-client)
  [ "${#missing[@]}" -gt 0 ] || return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    fail "local mode needs ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}"
  fi
}

ensure_compose() {
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1 ||
    fail "compose mode needs Docker Compose (the docker compose plugin, or docker-compose)"
}

# --- dispatch --------------------------------------------------------------------------------------------
cd "$ROOT"
ensure_node
mode="$(choose_mode)"
case "$mode" in
  local | compose) ;;
  *) fail "unknown mode \"$mode\" in $STATE_DIR/mode: use --local or --compose" ;;
esac

if [ "${AI_FINANCE_NO_INSTALL:-}" = 1 ]; then
  [ -f "$CLI" ] || fail "AI_FINANCE_NO_INSTALL=1, but $CLI has not been built"
elif [ "$command" = start ] || [ "$command" = restart ]; then
  ensure_dependencies
  build
  if [ "$mode" = local ]; then ensure_native_programs; else ensure_compose; fi
elif [ ! -f "$CLI" ]; then
  ensure_dependencies
  build
fi

if [ "$command" = restart ]; then
  node "$CLI" "$mode" stop
  exec node "$CLI" "$mode" start
fi
exec node "$CLI" "$mode" "$command" "${args[@]+"${args[@]}"}"
