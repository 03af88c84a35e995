#!/usr/bin/env bash
# Idempotent set-up: a Python that Rasa 3.6 supports (3.9 or 3.10), uv, and .venv synced from uv.lock.
# Rasa 3.6.21 declares Requires-Python <3.11, and several of its dependencies only exist for
# python_version < "3.11", so a newer interpreter cannot be forced. Order of preference:
#   1. python3.10 / python3.9 on PATH (a laptop, a container),
#   2. an interpreter that pyenv already installed (its PATH shims may hide it),
#   3. on Debian as root: Python 3.9 from bullseye, pinned low (see TOOLCHAIN recipe below),
#   4. `uv python install 3.10` (needs the internet),
# otherwise stop and say what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[bootstrap] %s\n' "$*" >&2; }
die() { printf '[bootstrap] ERROR: %s\n' "$*" >&2; exit 1; }

# A usable interpreter runs, is 3.9 or 3.10, and has distutils (uv refuses one without it).
usable() {
  [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1
  "$1" -c 'import sys, distutils.sysconfig; sys.exit(0 if sys.version_info[:2] in ((3, 9), (3, 10)) else 1)' \
    >/dev/null 2>&1
}

ensure_uv() {
  if command -v uv >/dev/null 2>&1; then return; fi
  say "installing uv (Python package manager) with pip"
  # Debian's own python3 refuses plain pip installs (PEP 668); a --user install touches no
  # system package, so allow it there.
  python3 -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1 \
    || python3 -m pip install --quiet --user --disable-pip-version-check uv >/dev/null 2>&1 \
    || python3 -m pip install --quiet --user --break-system-packages --disable-pip-version-check uv \
    || die "could not install uv; install it (https://docs.astral.sh/uv/) and run again"
  command -v uv >/dev/null 2>&1 || export PATH="$HOME/.local/bin:$PATH"
  command -v uv >/dev/null 2>&1 || die "uv was installed but is not on PATH"
}

install_debian_python39() {
  say "installing Python 3.9 from Debian bullseye (pinned low: nothing else is upgraded)"
  local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  [ -f "$keyring" ] || die "debian-archive-keyring is missing"
  cat >/etc/apt/sources.list.d/bullseye-python39.list <<LIST
deb [signed-by=$keyring] http://deb.debian.org/debian bullseye main
deb [signed-by=$keyring] http://deb.debian.org/debian-security bullseye-security main
LIST
  cat >/etc/apt/preferences.d/bullseye-low <<PIN
Package: *
Pin: release n=bullseye
Pin-Priority: 100

Package: *
Pin: release n=bullseye-security
Pin-Priority: 100
PIN
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.9 python3.9-dev >/dev/null
  # distutils and lib2to3 for 3.9 live in bullseye packages whose names clash with bookworm's
  # 3.11 ones, so unpack only the 3.9 modules instead of installing those packages.
  local tmp; tmp=$(mktemp -d); chmod 755 "$tmp"  # apt downloads as the _apt user
  (cd "$tmp" && apt-get download -qq python3-distutils/bullseye python3-lib2to3/bullseye)
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$tmp/root"; done
  cp -rn "$tmp/root/usr/lib/python3.9/distutils" "$tmp/root/usr/lib/python3.9/lib2to3" /usr/lib/python3.9/
  rm -rf "$tmp"
}

find_python() {
  # 3.10 wherever it is before 3.9 anywhere, so a machine with both always gets the same one.
  local c root="${PYENV_ROOT:-$HOME/.pyenv}"
  for c in python3.10 "$root"/versions/3.10*/bin/python3.10 \
           python3.9 "$root"/versions/3.9*/bin/python3.9; do
    if usable "$c"; then command -v "$c"; return; fi
  done
  if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
    install_debian_python39 || say "the Debian install of Python 3.9 failed"
    if usable /usr/bin/python3.9; then echo /usr/bin/python3.9; return; fi
  fi
  say "trying 'uv python install 3.10'"
  if uv python install 3.10 >/dev/null 2>&1; then
    c=$(uv python find 3.10 2>/dev/null || true)
    if [ -n "$c" ] && usable "$c"; then echo "$c"; return; fi
  fi
  die "Rasa 3.6 needs Python 3.9 or 3.10 and none was found or could be installed.
Install python3.10 (or python3.9 with distutils) so it is on PATH, then run this again."
}

ensure_uv
if [ -x .venv/bin/python ] && usable .venv/bin/python; then
  py=.venv/bin/python
else
  py=$(find_python)
  say "using $py ($("$py" -c 'import platform; print(platform.python_version())'))"
  rm -rf .venv
fi
# --frozen: install exactly what uv.lock says; never re-resolve on a user's machine.
UV_PYTHON="$py" uv sync --frozen --quiet
# The web chat's assets (npm ci + build), only when their inputs changed; see that script.
bash scripts/web_setup.sh assets
