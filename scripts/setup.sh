#!/usr/bin/env bash
# Installs what this machine lacks to build, run and test Electrocardio Panorama, and nothing
# it already has. Debian/Ubuntu; needs Rust (rustup) already.
#   scripts/setup.sh app    run-time libraries of the desktop app
#   scripts/setup.sh test   the above, plus Python with wfdb-python and SciPy in .venv
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-test}"

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install Rust first: https://rustup.rs" >&2
  exit 1
fi

# Window-system and GL/Vulkan libraries that eframe loads at run time (building needs none).
app_packages=(libx11-6 libx11-xcb1 libxcursor1 libxi6 libxrandr2 libxkbcommon-x11-0
  libegl1 libegl-mesa0 libgl1-mesa-dri libvulkan1 mesa-vulkan-drivers)
# poppler-utils: pdftoppm renders docs/report-ludb.png from the report's PDF (no test uses it).
test_packages=(python3 python3-venv python3-pip xvfb xauth poppler-utils)

packages=("${app_packages[@]}")
[ "$what" = test ] && packages+=("${test_packages[@]}")

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$what" = test ]; then
  # The test command fails on unformatted code and on lint warnings.
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    echo "setup: adding the rustfmt and clippy components"
    rustup component add rustfmt clippy
  fi
  # The interoperability tests compare against wfdb-python and SciPy, and read EDF files
  # pyedflib writes.
  if ! .venv/bin/python -c "import wfdb, scipy, numpy, skimage, pyedflib" >/dev/null 2>&1; then
    echo "setup: creating .venv with wfdb-python, SciPy and pyedflib"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements-test.txt
  fi
fi
