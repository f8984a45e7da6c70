#!/usr/bin/env bash
# Installs what building and testing need on Debian or Ubuntu, and nothing when it is all there.
# Safe to run again. Other platforms: see README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: a C toolchain for bundled SQLite; Python's venv for schemathesis; WebKitGTK,
# GTK and the tray library for the desktop app, and a colour emoji font so customers' emoji
# render (the .deb depends on it too); Xvfb, the WebKit WebDriver and D-Bus for its
# end-to-end and notification tests.
apt_packages=(build-essential pkg-config python3 python3-venv curl ca-certificates
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev fonts-noto-color-emoji
  xvfb xauth webkit2gtk-driver dbus nodejs)
# Debian's Chromium and its WebDriver for the storefront widget's browser tests
# (crates/shop-server/tests/browser.rs), and NSS's certutil, which puts the test CA into the
# browser's own certificate store.
apt_packages+=(chromium chromium-driver libnss3-tools)
# PostgreSQL's server programs: the shop server's test suites run a second time against a
# throwaway cluster (scripts/with-postgres.sh), which runuser (util-linux) starts as postgres.
apt_packages+=(postgresql util-linux)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A Python that is not Debian's (pyenv, say) brings its own venv.
if python3 -c 'import venv, ensurepip' 2>/dev/null; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  echo "installing: ${missing[*]}"
  sudo_if_needed apt-get update -q
  # The first install on a fresh image has failed once with a dpkg-split error; a retry finishes it.
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "Rust is needed: https://rustup.rs (then run this again)" >&2; exit 1; }

# The UI's tool chain (Vite 8, Vitest 4) needs Node 20 or newer.
node_major=$(node --version 2>/dev/null | sed -E 's/^v([0-9]+).*/\1/' || echo 0)
if [ "${node_major:-0}" -lt 20 ]; then
  echo "Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none)); see https://nodejs.org" >&2
  exit 1
fi
command -v npm >/dev/null || { echo "npm is needed (it comes with Node.js)" >&2; exit 1; }

# tauri-driver, pinned to the Tauri 2 line, for the end-to-end tests.
if ! command -v tauri-driver >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]; then
  cargo install tauri-driver --locked --version ^2
fi

# cargo-fuzz for the fuzz targets (scripts/fuzz.sh; built on the stable toolchain).
if ! command -v cargo-fuzz >/dev/null && [ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo-fuzz" ]; then
  cargo install cargo-fuzz --locked --version ^0.13
fi

# The UI's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi

# The storefront widget's packages (crates/shop-server/widget), exactly as locked.
if [ ! -d crates/shop-server/widget/node_modules ] \
  || [ crates/shop-server/widget/package-lock.json -nt crates/shop-server/widget/node_modules/.package-lock.json ]; then
  (cd crates/shop-server/widget && npm ci --no-audit --no-fund)
fi

# schemathesis, pinned, in a venv of its own under the target dir.
target_dir=${CARGO_TARGET_DIR:-target}
venv="$target_dir/py"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5"
fi
