#!/bin/sh
# The demo on embedded defaults: a throwaway project directory, shipsafe init, config check,
# a few ledger entries and their verification. Nothing outside the temp directory is touched.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
shipsafe="node $here/dist/cli/main.js"
demo=$(mktemp -d "${TMPDIR:-/tmp}/shipsafe-demo.XXXXXX")
trap 'rm -rf "$demo"' EXIT
cd "$demo"

step() { printf '\n\033[1m$ shipsafe %s\033[0m\n' "$*"; $shipsafe "$@"; }

$shipsafe --help
printf 'DB_PASSWORD=demo-secret-1234\n' > .env.prod
step init
step config check
step --env-file .env.prod config show
step audit note --env production "demo: first entry"
step lock hold --env production --for 1s --reason "demo freeze"
step audit tail -n 5
step audit verify
echo
echo "demo finished: state was in $demo/.shipsafe (removed on exit)"
