#!/bin/sh
# Used by the Dockerfile after an nx build: copies what runs into DESTINATION, keeping each path, so that
# the runtime image takes one folder from the build stage. That is each named project's dist folder
# (which must exist) and the dist folder of every library that was built (libs/testing excepted: it
# holds test helpers and never ships).
#   usage: gather-dist.sh DESTINATION PROJECT_FOLDER...   e.g. gather-dist.sh /out apps/payment
set -eu

if [ "$#" -lt 2 ]; then
  printf 'usage: %s DESTINATION PROJECT_FOLDER...\n' "$0" >&2
  exit 2
fi
destination=$1
shift

copy_dist() {
  mkdir -p "$destination/$1"
  cp -R "$1/." "$destination/$1/"
  printf 'gathered %s\n' "$1"
}

for project in "$@"; do
  if [ ! -d "$project/dist" ]; then
    printf 'error: %s/dist does not exist: was %s built?\n' "$project" "$project" >&2
    exit 1
  fi
  copy_dist "$project/dist"
done
for dist in libs/*/dist; do
  case $dist in
    libs/testing/dist) ;;
    *) if [ -d "$dist" ]; then copy_dist "$dist"; fi ;;
  esac
done
