#!/usr/bin/env bash
# Set up stridebeat in ./.venv: the Debian packages it needs, then the Python package.
#   bash scripts/setup.sh          # to run stridebeat
#   bash scripts/setup.sh --test   # also the test and lint tools
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

extras=""
debs=(libportaudio2 espeak-ng rubberband-cli)  # PortAudio for live play; espeak-ng speaks the cues;
# Rubber Band (a GPL program, run as a separate process) stretches music onto the steps
if [[ "${1:-}" == "--test" ]]; then
  extras="[dev]"
  debs+=(jackd2)  # the live tests play into a JACK server with its dummy driver
  debs+=(dbus-daemon dbus-bin)  # and steer it over a private D-Bus session bus
fi
if ! python3 -c "import ensurepip, venv" >/dev/null 2>&1; then
  debs+=(python3-venv)
fi

missing=()
for deb in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "ok installed" || missing+=("$deb")
done
if ((${#missing[@]})); then
  sudo=""
  [[ "$(id -u)" -eq 0 ]] || sudo="sudo"
  echo "Installing Debian packages: ${missing[*]}"
  $sudo apt-get update -q >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

[[ -x .venv/bin/python ]] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
echo "stridebeat is ready: .venv/bin/stridebeat --help"
