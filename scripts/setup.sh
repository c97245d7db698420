#!/usr/bin/env bash
# Installs what building and testing tiny-reasoner needs on a fresh Debian machine with rustup.
# Safe to run again: each step is skipped when its tool is already there at the right version.
#
#   scripts/setup.sh          everything: building, the page, and every test
#   scripts/setup.sh --page   only what building and serving the page needs (no Vulkan driver, no
#                             Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PAGE_ONLY=0
[ "${1:-}" = "--page" ] && PAGE_ONLY=1

# wasm-bindgen's CLI must match the wasm-bindgen crate exactly; the version is pinned in Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)

step() { printf '\n== %s\n' "$*"; }

step "Rust target wasm32-unknown-unknown"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "Node.js (runs the wasm tests)"
if ! command -v node >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
node --version

step "Vulkan driver (the GPU tests; Mesa's lavapipe runs Vulkan on the CPU where there is no GPU)"
# Skipped when any Vulkan driver (ICD) is installed already.
if [ "$PAGE_ONLY" = 1 ]; then
  echo "not needed for the page"
elif ! ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq mesa-vulkan-drivers
fi
ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json 2>/dev/null || true

step "wasm-bindgen-cli $WASM_BINDGEN_VERSION"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  # Not --locked: its lock file pins a webpki-roots release the registry no longer serves.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi
wasm-bindgen --version

# ---- The page (issue #5): web build tools and the browser the browser tests drive ----------------
# npm's binaryen gives wasm-opt (Debian's binaryen 108 makes modules that fail in Chromium);
# playwright-core drives Debian's chromium. Versions are pinned in package.json / package-lock.json.
# No install scripts run and no browser is downloaded (never `playwright install`).
step "npm packages for the page (binaryen, esbuild, playwright-core)"
# Skipped when node_modules already holds every pinned version.
if ! node -e '
  const deps = require("./package.json").devDependencies;
  for (const [name, version] of Object.entries(deps))
    if (require(`./node_modules/${name}/package.json`).version !== version) process.exit(1);
' 2>/dev/null; then
  npm ci --ignore-scripts --no-audit --no-fund
fi
node_modules/.bin/wasm-opt --version

step "Chromium (browser tests, headless)"
if [ "$PAGE_ONLY" = 1 ]; then
  echo "not needed to serve the page"
  exit 0
fi
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
/usr/bin/chromium --version 2>/dev/null  # (its wrapper script warns on stderr)
