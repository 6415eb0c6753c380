#!/usr/bin/env bash
# Whole-process comparison: `lienthong verify` against `pyhanko sign validate` on the same
# 5 MB PDF with two signatures (a person's ECDSA P-256, then the organisation's RSA-2048),
# run alternately so that both see the same machine. Prints the median time of each and
# the ratio. Target: ours <= 1/5 of pyHanko's.
#
#   bash benches/pdf-vs-pyhanko.sh [RUNS]      (default 20 runs each)
#
# Needs pyHanko's command (pip install pyhanko-cli; or LIENTHONG_PYHANKO=/path/to/pyhanko).
# Builds lienthong in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
pyhanko=${LIENTHONG_PYHANKO:-pyhanko}
command -v "$pyhanko" >/dev/null || { echo "pyhanko is not installed (pip install pyhanko-cli)"; exit 2; }
cargo build --release -q -p lienthong
bin=target/release/lienthong
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo run --release -q -p lienthong-pdfsig --example make_signed_pdf -- "$work" 5242880 >/dev/null
size=$(wc -c < "$work/signed.pdf")

ours=( "$bin" verify --trust "$work/root.pem" "$work/signed.pdf" )
theirs=( "$pyhanko" sign validate --trust "$work/root.pem" --trust-replace --no-revocation-check "$work/signed.pdf" )
# both must call it valid before their times mean anything
"${ours[@]}" >/dev/null
"${theirs[@]}" >/dev/null 2>&1 || { echo "pyhanko does not validate the file:"; "${theirs[@]}"; exit 1; }

one() {
  local start end
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s%N)
  echo $(( (end - start) / 1000 ))
}
a=(); b=()
for _ in $(seq "$runs"); do
  a+=( "$(one "${ours[@]}")" )
  b+=( "$(one "${theirs[@]}")" )
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ma=$(median "${a[@]}")
mb=$(median "${b[@]}")
echo "file: $size bytes, $runs runs each, alternating"
echo "lienthong verify:       median ${ma} us"
echo "pyhanko sign validate:  median ${mb} us"
awk -v a="$ma" -v b="$mb" 'BEGIN { printf "ratio (ours / pyHanko): %.3f  (target <= 0.20)\n", a / b }'
