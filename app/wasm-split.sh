#!/bin/sh
# Trunk post_build hook (before sw-precache.sh): splits the app's wasm at its
# `#[wasm_split]` functions (app/src/pages/lazy.rs) so the rarely used pages are
# fetched on first use instead of with the first load.
#
# Trunk 0.21 cannot split, and splitting needs the linker's relocations, which
# wasm-bindgen drops. So this takes cargo's own output (linked with
# `--emit-relocs`, see app/build.rs), splits it with wasm-split-cli
# (crate wasm_split_cli_support), runs wasm-bindgen on the main module again
# (`--keep-lld-exports`: the split modules call into it) and puts the result in
# the staging dir in place of Trunk's unsplit wasm and JS:
#   campo-app-<h>.js, campo-app-<h>_bg.wasm   the main module (first load)
#   campo-split-<h>.js                       the loader the main module imports
#   lazy-<module>-<hash>.wasm                one per split module (on demand)
# <h> is a hash of cargo's wasm and of the splitter and wasm-bindgen: every
# output is a function of these. The split modules are named by their own content. All names
# keep `-` + 16 hex digits, so the relay serves them as immutable.
set -eu
dir="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
target="${CARGO_TARGET_DIR:-${CARGO_BUILD_TARGET_DIR:-target}}"
# The cargo profile Trunk built with (`data-cargo-profile-release` in app/index.html).
case "${TRUNK_PROFILE:-debug}" in
  release) profile=wasm-release ;;
  *) profile=debug ;;
esac
input="$target/wasm32-unknown-unknown/$profile/campo-app.wasm"
[ -f "$input" ] || { echo "wasm-split: $input not found" >&2; exit 1; }
command -v wasm-split-cli >/dev/null || {
  echo "wasm-split: wasm-split-cli missing (./tasks setup installs it)" >&2
  exit 1
}

# Trunk's outputs: campo-app-<hex>.js and campo-app-<hex>_bg.wasm, where <hex>
# is a 64-bit hash without its leading zeros (so at times fewer than 16 digits).
old_js=$(cd "$dir" && ls | grep -E '^campo-app-[0-9a-f]{1,16}\.js$' || true)
[ "$(echo "$old_js" | wc -w)" = 1 ] || { echo "wasm-split: no single campo-app-<hash>.js in $dir" >&2; exit 1; }
old_stem=${old_js%.js}
old_wasm="${old_stem}_bg.wasm"
[ -f "$dir/$old_wasm" ] || { echo "wasm-split: $old_wasm not in $dir" >&2; exit 1; }

sha16() { sha256sum | cut -c1-16; }
sri() { printf "sha384-%s" "$(sha384sum "$1" | cut -d" " -f1 | tr a-f A-F | basenc --base16 -d | base64 -w0)"; }
h=$({ cat "$input" "$(command -v wasm-split-cli)"; wasm-bindgen --version; } | sha16)
stem="campo-app-$h"
loader="campo-split-$h.js"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The main module goes to $work/split/campo-app.wasm and imports its loader
# functions from "./__wasm_split.js"; the loader imports `initSync` from
# "./campo-app.js". Both names are rewritten below.
wasm-split-cli "$input" "$work/split" --out-name campo-app
wasm-bindgen --target web --keep-lld-exports --no-demangle --no-typescript \
  --out-dir "$work/bg" --out-name "$stem" "$work/split/campo-app.wasm"

# The split modules, named by content; the loader fetches them relative to itself.
subst=""
for f in "$work"/split/*.wasm; do
  name=$(basename "$f" .wasm)
  [ "$name" = campo-app ] && continue
  new="lazy-$name-$(sha16 < "$f").wasm"
  cp "$f" "$dir/$new"
  subst="$subst -e s|\"\\./$name\\.wasm\"|\"./$new\"|g"
done
# shellcheck disable=SC2086 # $subst is a list of sed expressions without spaces
sed $subst -e "s|\"\\./campo-app\\.js\"|\"./$stem.js\"|" \
  "$work/split/__wasm_split.js" > "$dir/$loader"
# Only the JS import path changes: the wasm's import module keeps its name, and
# so does the key of the imports object that answers it.
sed -e "s|from \"\\./__wasm_split\\.js\"|from \"./$loader\"|g" "$work/bg/$stem.js" > "$dir/$stem.js"
cp "$work/bg/${stem}_bg.wasm" "$dir/${stem}_bg.wasm"

# index.html: the new names and the new integrity of the preloaded JS and wasm.
old_js_sri=$(sri "$dir/$old_js")
old_wasm_sri=$(sri "$dir/$old_wasm")
new_js_sri=$(sri "$dir/$stem.js")
new_wasm_sri=$(sri "$dir/${stem}_bg.wasm")
html="$dir/index.html"
sed -e "s|$old_stem|$stem|g" -e "s|$old_js_sri|$new_js_sri|g" -e "s|$old_wasm_sri|$new_wasm_sri|g" \
  "$html" > "$html.tmp"
mv "$html.tmp" "$html"
rm "$dir/$old_js" "$dir/$old_wasm"
if grep -q "$old_stem" "$html"; then echo "wasm-split: $old_stem still in index.html" >&2; exit 1; fi
echo "wasm-split: $stem, $(ls "$dir" | grep -c '^lazy-') lazy modules"
