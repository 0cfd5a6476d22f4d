#!/usr/bin/env bash
# Source this file after scripts/ensure-node.sh, from the repository root: installs the npm
# packages when they are missing or package.json changed since the last install, with the
# Node that ensure-node.sh put on PATH (native addons must be built for that Node).
if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund >&2
fi
