#!/usr/bin/env bash
# Checks that internal/jsongold/ld is exactly upstream json-gold v0.9.1's ld
# package (non-test files) + internal/jsongold/blason.patch + the import-path
# rewrite, so the in-tree copy can only change through the patch.
#
# The rewrite (github.com/piprate/json-gold/ld -> module path) is done here,
# mechanically, after the patch, and is not part of blason.patch: the patch
# stays a diff against upstream's own tree, so it still applies to (or
# 3-way merges with) a newer json-gold release unchanged.
#
# To upgrade: change VERSION, run with --write (rewrites the in-tree copy from
# upstream + patch; fix the patch until it applies), then run
# go test ./internal/dataintegrity/ ./contexts/ and update README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

MODULE=github.com/piprate/json-gold
VERSION=v0.9.1
OURS=internal/jsongold
NEWPATH=github.com/blason-badges/blason/internal/jsongold/ld

write=false
if [ "${1:-}" = "--write" ]; then write=true; fi

# The module proxy (and go.sum's checksum database) vouch for the bytes.
dir=$(go mod download -json "$MODULE@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir/ld" ]; then
  echo "jsonld-upstream: could not download $MODULE@$VERSION" >&2; exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Upstream's ld package without its tests and test data.
(cd "$dir" && find ld -path ld/testdata -prune -o -type f ! -name '*_test.go' -print) |
  while read -r f; do
    mkdir -p "$work/$(dirname "$f")"
    cp "$dir/$f" "$work/$f"
  done
chmod -R u+w "$work"
cp "$dir/LICENSE" "$work/LICENSE"

# A repository of its own, so git apply reads the patch's paths (a/ld/...)
# relative to $work and not to an enclosing checkout.
git -C "$work" init -q
if ! git -C "$work" apply --whitespace=nowarn "$PWD/$OURS/blason.patch"; then
  echo "jsonld-upstream: $OURS/blason.patch does not apply to $MODULE@$VERSION" >&2; exit 1
fi
rm -rf "$work/.git"
grep -rl --include='*.go' "\"$MODULE/ld" "$work/ld" | while read -r f; do
  sed -i "s#\"$MODULE/ld#\"$NEWPATH#g" "$f"
done

if $write; then
  rm -rf "$OURS/ld"
  cp -r "$work/ld" "$OURS/ld"
  cp "$work/LICENSE" "$OURS/LICENSE"
  echo "jsonld-upstream: wrote $OURS/ld from $MODULE@$VERSION + blason.patch"
  exit 0
fi

status=0
diff -ru "$work/ld" "$OURS/ld" || status=$?
diff -u "$work/LICENSE" "$OURS/LICENSE" || status=$?
if [ "$status" -ne 0 ]; then
  echo "jsonld-upstream: $OURS differs from $MODULE@$VERSION + blason.patch (above);" >&2
  echo "  change the copy only through the patch (see $OURS/README.md)" >&2
  exit 1
fi
echo "jsonld-upstream: $OURS/ld = $MODULE@$VERSION + blason.patch"
