#!/bin/sh
# Trunk post_build hook: writes the list of built files and a hash of their
# contents into the staged sw.js, so the service worker precaches exactly this
# build and every new build gets a new service worker version.
set -eu
dir="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
sw="$dir/sw.js"
cd "$dir"
# Every built file except the service worker itself, as absolute URLs.
files=$(find . -type f ! -name sw.js | sed 's|^\./||' | LC_ALL=C sort)
assets=""
for f in $files; do
  assets="$assets\"/$f\", "
done
assets="$assets\"/\""
version=$(cat $files | sha256sum | cut -c1-16)
tmp="$sw.tmp"
sed -e "s|\"__CAMPO_ASSETS__\"|$assets|" -e "s|__CAMPO_VERSION__|$version|" "$sw" > "$tmp"
mv "$tmp" "$sw"
echo "sw-precache: version $version, $(echo "$files" | wc -l) files"
