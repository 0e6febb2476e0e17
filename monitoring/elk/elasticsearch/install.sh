#!/bin/sh
# Installs the logs pipeline's ILM policies, component templates and index templates into Elasticsearch
# (ELASTICSEARCH_URL, default http://elasticsearch:9200), waiting for it first. Each file's name is the
# object's name. Safe to run again: every PUT replaces the object.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../setup-lib.sh
. "$here/../setup-lib.sh"

ELASTICSEARCH_URL="${ELASTICSEARCH_URL:-http://elasticsearch:9200}"

# put_all API FOLDER: PUT API/<name> with each FOLDER/<name>.json.
put_all() {
  for file in "$here/$2"/*.json; do
    name=$(basename "$file" .json)
    request PUT "$ELASTICSEARCH_URL/$1/$name" --header 'Content-Type: application/json' --data-binary "@$file" >/dev/null
    printf 'installed %s/%s\n' "$1" "$name"
  done
}

wait_for Elasticsearch "$ELASTICSEARCH_URL/_cluster/health?wait_for_status=yellow&timeout=5s"
# Policies and component templates first: the index templates name them.
put_all _ilm/policy ilm
put_all _component_template component-templates
put_all _index_template index-templates
