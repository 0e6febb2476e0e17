# shellcheck shell=sh
# Shared by elasticsearch/install.sh and kibana/load-saved-objects.sh (POSIX sh and curl only, so that
# they run in a small curl image): wait for a server, and send requests that stop the script with a
# message naming the request and the answer when they fail.

RETRY_INTERVAL_SECONDS="${RETRY_INTERVAL_SECONDS:-5}"
WAIT_TIMEOUT_SECONDS="${WAIT_TIMEOUT_SECONDS:-300}"

fail() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# curl, with basic credentials when ELASTICSEARCH_USERNAME is set (Kibana checks them against Elasticsearch).
http() {
  if [ -n "${ELASTICSEARCH_USERNAME:-}" ]; then
    curl --user "$ELASTICSEARCH_USERNAME:${ELASTICSEARCH_PASSWORD:-}" "$@"
  else
    curl "$@"
  fi
}

# wait_for NAME URL: until URL answers 200, or WAIT_TIMEOUT_SECONDS have passed.
wait_for() {
  deadline=$(($(date +%s) + WAIT_TIMEOUT_SECONDS))
  while :; do
    status=$(http --silent --output /dev/null --write-out '%{http_code}' "$2") || status="no answer"
    [ "$status" = 200 ] && return 0
    [ "$(date +%s)" -ge "$deadline" ] && fail "$1 is not ready: $2 answered $status for $WAIT_TIMEOUT_SECONDS s"
    printf 'waiting for %s (%s answered %s)\n' "$1" "$2" "$status"
    sleep "$RETRY_INTERVAL_SECONDS"
  done
}

# request METHOD URL [curl options]: prints the answer's body; fails unless the status is 2xx.
request() {
  method=$1
  url=$2
  shift 2
  body_file=$(mktemp)
  if ! status=$(http --silent --show-error --output "$body_file" --write-out '%{http_code}' --request "$method" "$@" "$url"); then
    rm -f "$body_file"
    fail "$method $url: no answer"
  fi
  body=$(cat "$body_file")
  rm -f "$body_file"
  case $status in
    2??) printf '%s\n' "$body" ;;
    *) fail "$method $url answered HTTP $status: $body" ;;
  esac
}
