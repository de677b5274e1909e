#!/usr/bin/env bash
# System packages the tests need that pip cannot install, installed only when missing:
#  - Chromium, for tests/test_browser.py (driven by Playwright's Python API, which
#    `pip install -e '.[test]'` installs, with executable_path=/usr/bin/chromium);
#  - a Java runtime, for the HermiT reasoner owlready2 runs to check the ontology.
# Run as root (or with sudo) on Debian/Ubuntu.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-test-deps: chromium and java are already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
