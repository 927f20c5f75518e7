#!/usr/bin/env bash
# Install Debian's Chromium for tests/test_explorer_browser.py, which drives it
# through the Python playwright package with executable_path=/usr/bin/chromium.
# The test never uses Playwright's own browser download (`playwright install`).
# DejaVu gives the page a font, so screenshots show readable text.
set -euo pipefail

PACKAGES=(chromium fonts-dejavu-core)

missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        SUDO=sudo
    else
        SUDO=
    fi
    export DEBIAN_FRONTEND=noninteractive

    # A fresh machine has empty package lists, so apt-get install would find nothing.
    if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        $SUDO apt-get update
    fi
    $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

/usr/bin/chromium --version 2>/dev/null
