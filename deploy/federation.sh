#!/usr/bin/env bash
# Run the demo federation as separate `lienthong serve` processes on loopback
# (configs in deploy/federation/, development PKI in certs-dev/).
#
#   deploy/federation.sh start     build (release) if needed, start every gateway, wait until ready
#   deploy/federation.sh status    ask every gateway's /readyz
#   deploy/federation.sh stop      SIGTERM every gateway and wait
#
# Environment: LIENTHONG_BIN (default target/release/lienthong). Logs: deploy/federation/run/*.log.
# Health checks use curl if it is installed, else the bash /dev/tcp port check.
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

ready() {
  local port=$1
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 2 --cacert "$root/certs-dev/ca.pem" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
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
    local port; port=$(port_of "$g")
    for _ in $(seq 100); do ready "$port" && break; sleep 0.1; done
    if ready "$port"; then echo "$g ready on https://127.0.0.1:$port"; else echo "$g did not become ready; see $run/$g.log"; exit 1; fi
    local vxp; vxp=$(vxp_of "$g")
    if [ -n "$vxp" ]; then
      echo "  $g VXP API (for DMSs on the national axis's SDK): http://$vxp, system $(vxp_system_of "$g"), secret in deploy/federation/vxp/"
    fi
  done
}

status() {
  local bad=0
  for g in "${gateways[@]}"; do
    local port; port=$(port_of "$g")
    if ready "$port"; then echo "$g: ready (https://127.0.0.1:$port)"; else echo "$g: DOWN"; bad=1; fi
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
