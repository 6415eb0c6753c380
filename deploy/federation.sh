#!/usr/bin/env bash
# Run the demo federation as separate `lienthong serve` processes on loopback
# (configs in deploy/federation/, development PKI in certs-dev/).
#
#   deploy/federation.sh start     build (release) if needed, start every gateway, wait until ready
#   deploy/federation.sh status    ask every gateway's /readyz, and which gateway answers its port
#   deploy/federation.sh stop      SIGTERM every gateway and wait
#
# Environment: LIENTHONG_BIN (default target/release/lienthong). Logs: deploy/federation/run/*.log.
# A gateway is up when the process this script started for it is alive and its port is ready.
# Health checks use curl if it is installed: /readyz, and /healthz must name the gateway (another
# process holding the port, e.g. a federation started from another checkout, is told apart).
# Without curl, the bash /dev/tcp port check: whoever answers on the port counts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
fed="$here/federation"
run="$fed/run"
bin=${LIENTHONG_BIN:-$root/target/release/lienthong}
gateways=(gw-g22 gw-h50 gw-h50-giolinh gw-h50-giomai gw-h48)

port_of() { sed -n 's/^addr = "127.0.0.1:\([0-9]*\)"/\1/p' "$fed/$1.toml"; }
# The VXP listener of a gateway (the national axis's DMS API), if it has one.
vxp_of() { sed -n 's/^listen = "\(127.0.0.1:[0-9]*\)".*/\1/p' "$fed/$1.toml"; }
vxp_system_of() { sed -n 's/^id = "\(vxp\.[^"]*\)".*/\1/p' "$fed/$1.toml" | head -1; }

has_curl() { command -v curl >/dev/null 2>&1; }

ready() {
  local port=$1
  if has_curl; then
    curl -fsS --max-time 2 --cacert "$root/certs-dev/ca.pem" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Who answers /healthz on a port (with curl): the gateway id it names; "a server that names
# no gateway" when something answers without naming one; nothing when nothing answers over
# TLS with a certificate of the development CA, or without curl.
answering() {
  has_curl || return 0
  local body id
  body=$(curl -sS --max-time 2 --cacert "$root/certs-dev/ca.pem" \
    "https://127.0.0.1:$1/healthz" 2>/dev/null) || return 0
  id=$(sed -n 's/.*"gateway" *: *"\([^"]*\)".*/\1/p' <<<"$body")
  echo "${id:-a server that names no gateway}"
}

# Is the process this script started for gateway $1 alive?
alive() { [ -f "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

# Is gateway $1 up on port $2: its process alive, the port ready and (with curl) /healthz
# there naming $1.
up() {
  local g=$1 port=$2
  alive "$g" && ready "$port" || return 1
  if has_curl; then [ "$(answering "$port")" = "$g" ]; fi
}

# Why gateway $1 (port $2) is not up, for `start`: its process exited (with the end of its
# log, which says why: a port in use, a bad key …), another process answers on its port, or
# it is still not ready.
why_down() {
  local g=$1 port=$2 who
  who=$(answering "$port")
  if ! alive "$g"; then
    echo "$g failed: its process (pid $(cat "$run/$g.pid" 2>/dev/null || echo '?')) exited; the end of $run/$g.log:"
    tail -n 5 "$run/$g.log" 2>/dev/null | sed 's/^/  | /' || true
    if [ -n "$who" ] && [ "$who" != "$g" ]; then
      echo "  port $port is held by another process, which answers as: $who"
    fi
  elif [ -n "$who" ] && [ "$who" != "$g" ]; then
    echo "$g failed: another process answers on port $port, as: $who (stop it, or the federation it belongs to)"
  else
    echo "$g failed: not ready on https://127.0.0.1:$port after 10 s; see $run/$g.log"
  fi
}

start() {
  if [ ! -x "$bin" ]; then
    echo "building $bin"
    (cd "$root" && cargo build --release -q -p lienthong)
  fi
  mkdir -p "$run"
  for g in "${gateways[@]}"; do
    "$bin" serve --check --config "$fed/$g.toml" >/dev/null
  done
  for g in "${gateways[@]}"; do
    if [ -f "$run/$g.pid" ] && kill -0 "$(cat "$run/$g.pid")" 2>/dev/null; then
      echo "$g already running (pid $(cat "$run/$g.pid"))"; continue
    fi
    nohup "$bin" serve --log-format json --config "$fed/$g.toml" >>"$run/$g.log" 2>&1 &
    echo $! > "$run/$g.pid"
  done
  for g in "${gateways[@]}"; do
    local port ok=0; port=$(port_of "$g")
    for _ in $(seq 100); do
      if up "$g" "$port"; then ok=1; break; fi
      alive "$g" || break
      sleep 0.1
    done
    if [ "$ok" = 1 ]; then
      echo "$g ready on https://127.0.0.1:$port"
    else
      why_down "$g" "$port"
      echo "(the gateways started are left running for a look; deploy/federation.sh stop stops them)"
      exit 1
    fi
    local vxp; vxp=$(vxp_of "$g")
    if [ -n "$vxp" ]; then
      echo "  $g VXP API (for DMSs on the national axis's SDK): http://$vxp, system $(vxp_system_of "$g"), secret in deploy/federation/vxp/"
    fi
  done
}

status() {
  local bad=0
  for g in "${gateways[@]}"; do
    local port proc who; port=$(port_of "$g")
    proc="process not running"
    if alive "$g"; then proc="pid $(cat "$run/$g.pid")"; fi
    who="who answers is not known without curl"
    if has_curl; then who=$(answering "$port"); who="answered by ${who:-nothing}"; fi
    if up "$g" "$port"; then
      echo "$g: ready (https://127.0.0.1:$port, $proc, $who)"
    else
      echo "$g: DOWN (https://127.0.0.1:$port, $proc, $who)"; bad=1
    fi
  done
  return $bad
}

stop() {
  for g in "${gateways[@]}"; do
    if [ -f "$run/$g.pid" ]; then
      local pid; pid=$(cat "$run/$g.pid")
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$run/$g.pid"
      echo "$g stopped"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  status) status ;;
  stop) stop ;;
  *) echo "usage: $0 start|status|stop"; exit 2 ;;
esac
