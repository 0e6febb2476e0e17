#!/bin/sh
# Imports the logs pipeline's data views and saved searches (saved-objects.ndjson) into Kibana
# (KIBANA_URL, default http://kibana:5601), waiting for it first. Safe to run again: objects are
# overwritten by id.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../setup-lib.sh
. "$here/../setup-lib.sh"

KIBANA_URL="${KIBANA_URL:-http://kibana:5601}"

wait_for Kibana "$KIBANA_URL/api/status"
response=$(request POST "$KIBANA_URL/api/saved_objects/_import?overwrite=true" --header 'kbn-xsrf: true' --form "file=@$here/saved-objects.ndjson")
case $response in
  *'"success":true'*) printf 'imported %s into Kibana\n' "$here/saved-objects.ndjson" ;;
  *) fail "Kibana did not import every saved object: $response" ;;
esac
