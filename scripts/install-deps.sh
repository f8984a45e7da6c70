#!/usr/bin/env bash
# Installs what building and testing need on Debian or Ubuntu, and nothing when it is all there.
# Safe to run again. Other platforms: see README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian packages: a C toolchain for bundled SQLite, and Python's venv for schemathesis.
apt_packages=(build-essential pkg-config python3 python3-venv curl ca-certificates)
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

# schemathesis, pinned, in a venv of its own under the target dir.
target_dir=${CARGO_TARGET_DIR:-target}
venv="$target_dir/py"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==4.32.5"
fi
