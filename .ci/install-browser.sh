#!/usr/bin/env bash
# Installs Debian's Chromium for the web application's browser tests (Playwright drives /usr/bin/chromium
# through `executable_path`; no browser is ever downloaded by Playwright itself) and the fonts that draw
# Vietnamese text in screenshots.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
