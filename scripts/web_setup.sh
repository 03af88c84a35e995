#!/usr/bin/env bash
# Web chat set-up, called by bootstrap.sh (assets) and by `make test` (chromium).
#   web_setup.sh assets    npm ci + build the page's assets, only when their inputs changed
#   web_setup.sh chromium  Debian's chromium for the browser tests, only when missing
# The page's libraries (socket.io client, govuk-frontend, axe-core for the tests) come from the npm
# registry at build time and are served by our own web server: the public page loads nothing
# from a CDN. Build outputs (node_modules, dist) are git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."

WEB=bot/web
say() { printf '[web-setup] %s\n' "$*" >&2; }
die() { printf '[web-setup] ERROR: %s\n' "$*" >&2; exit 1; }
as_root_on_debian() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

apt_install() {
  # bootstrap.sh may have added bullseye pinned at priority 100 (for python3.9): with no target
  # release given, apt takes the highest-priority candidate, i.e. bookworm's (or bookworm-security's).
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  fi
}

ensure_npm() {
  command -v npm >/dev/null 2>&1 && return
  as_root_on_debian || die "npm is missing: install Node.js 18 or newer (with npm) and run again"
  say "installing Node.js and npm from Debian"
  apt_install nodejs npm
}

assets() {
  # One hash over everything the build reads: a warm run is a sha256sum and nothing else.
  local stamp=$WEB/dist/.inputs.sha256 want
  want=$(cat $WEB/package.json $WEB/package-lock.json $WEB/build.mjs $WEB/assets/* | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d $WEB/node_modules ]; then return; fi
  ensure_npm
  local lock_stamp=$WEB/node_modules/.lock.sha256 lock
  lock=$(cat $WEB/package.json $WEB/package-lock.json | sha256sum | cut -d' ' -f1)
  if [ ! -f "$lock_stamp" ] || [ "$(cat "$lock_stamp")" != "$lock" ]; then
    say "installing the web chat's packages (npm ci)"
    (cd $WEB && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$lock" >"$lock_stamp"
  fi
  say "building the web chat's assets"
  (cd $WEB && npm run --silent build)
  echo "$want" >"$stamp"
}

chromium() {
  [ -x /usr/bin/chromium ] && return
  as_root_on_debian || die "the browser tests need /usr/bin/chromium: install Debian's chromium package"
  say "installing Debian's chromium for the browser tests (once)"
  apt_install chromium
  [ -x /usr/bin/chromium ] || die "chromium was installed but /usr/bin/chromium is missing"
}

case "${1:-}" in
  assets) assets ;;
  chromium) chromium ;;
  *) die "usage: $0 assets|chromium" ;;
esac
