#!/usr/bin/env bash
# Re-vendors ReDoc's standalone bundle, unmodified, from the npm package.
# Usage: refresh.sh [version]   (defaults to the version in VERSION)
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${1:-$(<"$dir/VERSION")}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(cd "$tmp" && npm pack --silent "redoc@$version" >/dev/null)
tar -xzf "$tmp/redoc-$version.tgz" -C "$tmp"

cp "$tmp/package/bundles/redoc.standalone.js" "$dir/redoc.standalone.js"
# The bundle's banner points at this file for its bundled dependencies' notices.
cp "$tmp/package/bundles/redoc.standalone.js.LICENSE.txt" "$dir/redoc.standalone.js.LICENSE.txt"
cp "$tmp/package/LICENSE" "$dir/LICENSE"
echo "$version" >"$dir/VERSION"
