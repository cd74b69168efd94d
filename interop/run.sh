#!/usr/bin/env bash
# Signs with `sceau sign` and verifies with Digital Bazaar's
# @digitalbazaar/vc + eddsa-rdfc-2022-cryptosuite, then the other way round.
# testdata/clr.json is a CLR 2.0 ClrCredential carrying an OB 3.0 credential that
# keeps its own proof (signed once with a throwaway did:key): both sides must
# agree on the canonical form of a credential nested in another.
# Needs node and npm (the npm registry for `npm ci`); nothing else is fetched.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm ci --no-audit --no-fund --loglevel=error >/dev/null
go build -o "$work/sceau" ../cmd/sceau

# Sceau signs, the reference implementation verifies.
"$work/sceau" keygen "$work/key.json" >/dev/null
for f in testdata/*.json; do
  "$work/sceau" sign --key "$work/key.json" "$f" >"$work/sceau-$(basename "$f")"
done
node interop.mjs verify "$work"/sceau-*.json

# A tampered credential must fail there too.
sed 's/"name": "/"name": "X/' "$work/sceau-$(basename "$(ls testdata/*.json | head -1)")" >"$work/tampered.json"
if node interop.mjs verify "$work/tampered.json" >/dev/null; then
  echo "interop: the reference implementation accepted a tampered credential" >&2
  exit 1
fi

# The reference implementation signs, Sceau verifies.
seed=9b3c5a1e7f2d4c6b8a0e1f3d5c7b9a2e4f6d8c0b1a3e5f7d9c2b4a6e8f0d1c3b
for f in testdata/*.json; do
  node interop.mjs sign "$seed" "$f" >"$work/js-$(basename "$f")"
done
# Offline: an empty documents index, so that nothing is fetched (the status
# lists the test credentials name do not exist; their check only warns).
mkdir -p "$work/documents"
echo '{}' >"$work/documents/index.json"
"$work/sceau" verify --documents "$work/documents" "$work"/js-*.json
echo "interop: passed"
