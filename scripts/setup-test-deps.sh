#!/usr/bin/env bash
# System packages the tests need that pip cannot install: Chromium for tests/test_browser.py
# (driven by Playwright's Python API, which `pip install -e '.[test]'` installs, with
# executable_path=/usr/bin/chromium). Run as root (or with sudo) on Debian/Ubuntu.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "setup-test-deps: /usr/bin/chromium is already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium
/usr/bin/chromium --version
