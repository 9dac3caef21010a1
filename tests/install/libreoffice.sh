#!/usr/bin/env bash
# LibreOffice Calc (headless) for the test that opens our XLSX files in it. Installs only when missing.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
install_missing_packages libreoffice-calc-nogui
command -v soffice >/dev/null
