#!/usr/bin/env bash
# Whole-process comparison: `lienthong verify` against `xmlsec1 --verify` on the same
# 64 KiB signed edXML file (RSA-2048, exclusive C14N, whole document, chain of 2).
# Prints the mean time per run of each and the ratio. Target: ours <= 1/3 of xmlsec1's.
#
#   bash benches/verify-vs-xmlsec1.sh [RUNS]      (default 200 runs each)
#
# Needs xmlsec1 (apt-get install xmlsec1). Builds lienthong in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
command -v xmlsec1 >/dev/null || { echo "xmlsec1 is not installed"; exit 2; }
cargo build --release -q -p lienthong
bin=target/release/lienthong
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A 64 KiB document: the fixture with a 45 KiB random attachment (60 KiB of base64).
payload=$(head -c 45000 /dev/urandom | base64 -w0)
awk -v p="$payload" '
  /<edXML:ContentTransferEncoded/ { sub(/>[^<]*</, ">" p "<") }
  { gsub(/000\.00\.01\.H50/, "000.05.21.H50"); print }
' crates/edxml/tests/fixtures/edoc_new.edxml > "$work/doc.edxml"
"$bin" sign --key certs-dev/signers/000.05.21.H50-rsa.key --cert certs-dev/signers/000.05.21.H50-rsa.pem \
  "$work/doc.edxml" -o "$work/signed.edxml"
size=$(wc -c < "$work/signed.edxml")

ours=( "$bin" verify --trust certs-dev/ca.pem "$work/signed.edxml" )
theirs=( xmlsec1 --verify --trusted-pem certs-dev/ca.pem --enabled-reference-uris empty,same-doc "$work/signed.edxml" )
"${ours[@]}" >/dev/null
"${theirs[@]}" >/dev/null 2>&1

time_runs() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  echo $(( (end - start) / runs / 1000 ))
}
us_ours=$(time_runs "${ours[@]}")
us_theirs=$(time_runs "${theirs[@]}")
echo "file: $size bytes, $runs runs each"
echo "lienthong verify: ${us_ours} us per run"
echo "xmlsec1 --verify: ${us_theirs} us per run"
awk -v a="$us_ours" -v b="$us_theirs" 'BEGIN { printf "ratio (ours / xmlsec1): %.2f  (target <= 0.33)\n", a / b }'
