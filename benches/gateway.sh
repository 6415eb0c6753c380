#!/usr/bin/env bash
# Whole-gateway benchmarks over real mutual TLS on loopback, with the figures that
# docs/PERFORMANCE.md records:
#
#   accept  signed 64 KiB documents over 64 keep-alive connections (documents/s, p50/p99),
#           and the p50 latency one relay hop adds (issue 5);
#   chain   the four-level chain commune -> district -> province -> national -> province:
#           light-load p50/p99 end to end and sustained documents/s (issue 6);
#   vxp     sendEdoc as the national axis's SDK sends it against POST /v1/documents over
#           mutual TLS, batches interleaved: the ratio of their rates (issue 16).
#
#   bash benches/gateway.sh [accept|chain|vxp|all]      (default all)
#
# Environment: LIENTHONG_BENCH_DOCS (accept: documents, default 4000). Everything runs on
# this machine's loopback and disk; each gateway fsyncs as in production.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
case "$what" in
  accept|chain|vxp) benches=("$what") ;;
  all) benches=(accept chain vxp) ;;
  *) echo "usage: bash benches/gateway.sh [accept|chain|vxp|all]"; exit 2 ;;
esac
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
for b in "${benches[@]}"; do
  echo "== $b"
  cargo bench -q -p lienthong-gateway --bench "$b"
done
