#!/usr/bin/env bash
# The README's two commands: `./dev.sh start` and `./dev.sh test`. Both make sure Node 24
# and the npm packages are there first, so they work on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/ensure-node.sh

install_packages() { source scripts/ensure-packages.sh; }

case "${1:-}" in
  start)
    install_packages
    shift
    exec npm start -- "$@"
    ;;
  test)
    install_packages
    source scripts/ensure-chromium.sh
    source scripts/elasticsearch.sh
    elasticsearch_start
    trap elasticsearch_stop EXIT
    npm test
    ;;
  *)
    echo "usage: ./dev.sh start | test" >&2
    exit 2
    ;;
esac
