# shellcheck shell=bash
# A real Elasticsearch node for the tests, started from nothing but Maven Central.
#
# Meant to be SOURCED (by dev.sh and .ci/run):
#   source scripts/elasticsearch.sh; elasticsearch_start; trap elasticsearch_stop EXIT
#
# elasticsearch_start exports ES_URL, ES_USERNAME and ES_PASSWORD. When ES_URL is already set and
# that cluster answers _cluster/health, it is used as is (and elasticsearch_stop leaves it alone).
# Otherwise it fetches the integ-test-zip distribution of the pinned version with Maven, unpacks it
# outside the repo, and runs one single-node cluster on 127.0.0.1 with security on (basic auth,
# no TLS) so the client's auth path is exercised. docs/elasticsearch.md says what this
# distribution can and cannot do.
#
# Knobs (environment): AUDITLOG_CACHE (default ~/.cache/auditlog), ES_HEAP (default 1g),
# ES_START_TIMEOUT seconds (default 180), ES_KEEP_RUN_DIR=1 to keep data and logs after stop.

_es_script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$_es_script_dir/versions.env"

_ES_OS_USER=auditlog-es
_ES_STARTED_PID=""
_ES_RUN_DIR=""

_es_log() { echo "elasticsearch: $*" >&2; }

_es_now() { date +%s.%N; }
_es_since() { awk -v a="$1" -v b="$(_es_now)" 'BEGIN { printf "%.1f", b - a }'; }

# True when the cluster at $1 answers _cluster/health with yellow or green.
_es_healthy() {
  local url=$1 auth=()
  if [ -n "${ES_USERNAME:-}" ]; then auth=(-u "${ES_USERNAME}:${ES_PASSWORD:-}"); fi
  local body
  # Captured, not piped into grep -q: under pipefail an early grep exit would fail the check.
  body=$(curl -sS --max-time 5 "${auth[@]}" "$url/_cluster/health?wait_for_status=yellow&timeout=1s" 2>/dev/null) || return 1
  [[ $body =~ \"status\":\"(yellow|green)\" ]]
}

# Newest Temurin (or any) JDK with major >= 21 under /usr/lib/jvm; ES 9 refuses older ones.
_es_find_java() {
  if [ -n "${ES_JAVA_HOME:-}" ] && [ -x "$ES_JAVA_HOME/bin/java" ]; then
    echo "$ES_JAVA_HOME"
    return 0
  fi
  local dir major
  for dir in $(ls -d /usr/lib/jvm/temurin-*-jdk* /usr/lib/jvm/java-*-openjdk* 2>/dev/null | sort -t- -k2,2 -n -r); do
    [ -x "$dir/bin/java" ] || continue
    major=$(basename "$dir" | grep -oE '[0-9]+' | head -n1)
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

_es_free_port() {
  local port
  for port in 9200 $(seq 9201 9299); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# Elasticsearch refuses to run as root: as root, run it as a dedicated system user.
_es_ensure_os_user() {
  [ "$(id -u)" -ne 0 ] && return 0
  if ! id -u "$_ES_OS_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$_ES_OS_USER" ||
      { _es_log "cannot create user $_ES_OS_USER"; return 1; }
  fi
}

_es_as_user() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u "$_ES_OS_USER" -- "$@"
  else
    "$@"
  fi
}

# Download (once) and unpack (once) the distribution; prints the install directory.
_es_install() {
  local version=$ELASTICSEARCH_VERSION
  local cache=${AUDITLOG_CACHE:-$HOME/.cache/auditlog}
  local zip="$cache/downloads/elasticsearch-$version.zip"
  local t
  mkdir -p "$cache/downloads"
  if [ ! -s "$zip" ]; then
    command -v mvn >/dev/null || { _es_log "mvn is not installed (needed to fetch Elasticsearch from Maven Central)"; return 1; }
    t=$(_es_now)
    _es_log "downloading integ-test-zip $version from Maven Central"
    mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      "-Dartifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip" \
      "-DoutputDirectory=$cache/downloads" >"$cache/downloads/mvn.log" 2>&1 ||
      { tail -n 30 "$cache/downloads/mvn.log" >&2; _es_log "download failed"; return 1; }
    _es_log "downloaded in $(_es_since "$t")s ($(du -h "$zip" | cut -f1))"
  fi

  # /root is usually mode 700: the unprivileged user cannot read an install under it.
  local root="$cache"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u "$_ES_OS_USER" -- test -x "$cache"; then
    root=/var/tmp/auditlog-cache
  fi
  local home="$root/elasticsearch-$version"
  if [ ! -x "$home/bin/elasticsearch" ]; then
    t=$(_es_now)
    local tmp
    tmp=$(mktemp -d "$root/.unpack.XXXXXX" 2>/dev/null || { mkdir -p "$root" && mktemp -d "$root/.unpack.XXXXXX"; })
    if command -v unzip >/dev/null; then
      unzip -q "$zip" -d "$tmp" || { rm -rf "$tmp"; _es_log "unzip of $zip failed"; return 1; }
    else
      # No unzip on this machine: Python's zipfile, which drops the executable bits (restored below).
      python3 -m zipfile -e "$zip" "$tmp" || { rm -rf "$tmp"; _es_log "cannot unpack $zip (no unzip, and python3 failed)"; return 1; }
      chmod a+x "$tmp/elasticsearch-$version/bin/"*
    fi
    chmod -R a+rX "$tmp"
    chmod 755 "$root" "$tmp"
    # Atomic, so an interrupted unpack never looks like an install.
    mv "$tmp/elasticsearch-$version" "$home" && rm -rf "$tmp"
    _es_log "unpacked in $(_es_since "$t")s into $home"
  fi
  echo "$home"
}

elasticsearch_start() {
  if [ -n "${ES_URL:-}" ]; then
    if _es_healthy "$ES_URL"; then
      _es_log "using the cluster at $ES_URL"
      export ES_URL ES_USERNAME="${ES_USERNAME:-}" ES_PASSWORD="${ES_PASSWORD:-}"
      return 0
    fi
    _es_log "ES_URL=$ES_URL does not answer _cluster/health; starting a local node instead"
  fi

  local t_all java_home home port run password t
  t_all=$(_es_now)
  java_home=$(_es_find_java) || { _es_log "no JDK 21+ under /usr/lib/jvm (Elasticsearch 9 needs one; set ES_JAVA_HOME)"; return 1; }
  _es_ensure_os_user || return 1
  home=$(_es_install) || return 1
  port=$(_es_free_port) || { _es_log "no free port in 9200-9299"; return 1; }

  # Fresh config, data and logs per run; the unpacked install stays read-only and shared.
  run=$(mktemp -d /tmp/auditlog-es.XXXXXX)
  cp -r "$home/config" "$run/config"
  mkdir -p "$run/data" "$run/logs" "$run/tmp"
  password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
  cat >>"$run/config/elasticsearch.yml" <<EOF
cluster.name: auditlog-test
node.name: auditlog-test-1
network.host: 127.0.0.1
http.port: $port
discovery.type: single-node
path.data: $run/data
path.logs: $run/logs
xpack.security.enabled: true
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
# A nearly full disk on a developer machine must not turn the test indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
EOF
  if [ "$(id -u)" -eq 0 ]; then chown -R "$_ES_OS_USER" "$run"; fi

  _es_env_vars "$java_home" "$run"
  # The elastic user's password until one is stored in the security index.
  printf '%s' "$password" | _es_as_user env "${_ES_ENV_VARS[@]}" "$home/bin/elasticsearch-keystore" add -x -f bootstrap.password \
    >"$run/logs/keystore.log" 2>&1 || { cat "$run/logs/keystore.log" >&2; _es_log "keystore setup failed"; return 1; }

  export ES_URL="http://127.0.0.1:$port" ES_USERNAME=elastic ES_PASSWORD="$password"
  _es_launch "$home" "$run" || return 1
  _es_log "total start $(_es_since "$t_all")s: ES_URL=$ES_URL ES_USERNAME=elastic"
}

# Environment of the node's processes: Java, the run's config and temp directories, the heap.
_es_env_vars() {
  _ES_ENV_VARS=(ES_JAVA_HOME="$1" ES_PATH_CONF="$2/config" ES_TMPDIR="$2/tmp"
    ES_JAVA_OPTS="-Xms${ES_HEAP:-1g} -Xmx${ES_HEAP:-1g}")
}

# Starts the node of run directory $2 (install $1) as a daemon and waits for health at $ES_URL.
_es_launch() {
  local home=$1 run=$2 t
  t=$(_es_now)
  _es_log "starting $ELASTICSEARCH_VERSION at $ES_URL (java: ${_ES_ENV_VARS[0]#ES_JAVA_HOME=}, run dir: $run)"
  _es_as_user env "${_ES_ENV_VARS[@]}" "$home/bin/elasticsearch" -d -p "$run/es.pid" >"$run/logs/console.log" 2>&1 ||
    { _es_fail "$run" "the launcher exited with an error"; return 1; }

  _ES_RUN_DIR=$run
  _ES_STARTED_PID=$(cat "$run/es.pid" 2>/dev/null || true)

  local deadline=$((SECONDS + ${ES_START_TIMEOUT:-180}))
  until _es_healthy "$ES_URL"; do
    if [ -n "$_ES_STARTED_PID" ] && ! kill -0 "$_ES_STARTED_PID" 2>/dev/null; then
      _es_fail "$run" "the node exited during start-up"
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      _es_fail "$run" "not healthy after ${ES_START_TIMEOUT:-180}s"
      elasticsearch_stop
      return 1
    fi
    sleep 1
  done
  _es_log "healthy in $(_es_since "$t")s"
}

# Starts again a node that was stopped, on its run directory (same port, data and password):
# for tests that take a node down and bring it back. Needs ES_URL, ES_USERNAME and ES_PASSWORD
# of that node in the environment. Leaves the node running when the shell exits.
elasticsearch_relaunch() {
  local run=$1 java_home home
  java_home=$(_es_find_java) || { _es_log "no JDK 21+ under /usr/lib/jvm"; return 1; }
  home=$(_es_install) || return 1
  _es_env_vars "$java_home" "$run"
  _es_launch "$home" "$run"
}

_es_fail() {
  local run=$1 why=$2
  _es_log "start failed: $why. Last log lines:"
  tail -n 40 "$run/logs/console.log" "$run/logs/auditlog-test.log" >&2 2>/dev/null || true
  _es_log "full logs in $run/logs"
}

elasticsearch_stop() {
  # Only a node this shell started; a cluster given through ES_URL is not ours to stop.
  if [ -n "$_ES_STARTED_PID" ] && kill -0 "$_ES_STARTED_PID" 2>/dev/null; then
    kill "$_ES_STARTED_PID" 2>/dev/null || true
    local i
    for i in $(seq 1 60); do
      kill -0 "$_ES_STARTED_PID" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$_ES_STARTED_PID" 2>/dev/null; then
      _es_log "node $_ES_STARTED_PID did not stop in 30s; killing it"
      kill -9 "$_ES_STARTED_PID" 2>/dev/null || true
    fi
    _es_log "stopped"
  fi
  if [ -n "$_ES_RUN_DIR" ] && [ -z "${ES_KEEP_RUN_DIR:-}" ]; then rm -rf "$_ES_RUN_DIR"; fi
  _ES_STARTED_PID=""
  _ES_RUN_DIR=""
}
