#!/usr/bin/env bash
# Source this file (or run it): it makes sure Debian's `chromium` package is installed, for
# the web page's browser tests (test/ui/), which drive it with playwright-core. Nothing is
# downloaded outside the distribution's package repositories.
_auditlog_ensure_chromium() {
  local bin="${AUDITLOG_CHROMIUM:-/usr/bin/chromium}"
  [ -x "$bin" ] && return 0
  echo "Installing Debian's chromium package for the browser tests" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "chromium is missing and this user cannot install it: run 'apt-get install chromium' as root" >&2
      return 1
    fi
  fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null || {
    echo "apt-get install chromium failed" >&2
    return 1
  }
  [ -x "$bin" ]
}
_auditlog_ensure_chromium || { return 1 2>/dev/null || exit 1; }
unset -f _auditlog_ensure_chromium
