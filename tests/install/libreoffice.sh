#!/usr/bin/env bash
# LibreOffice Calc (headless) for the test that opens our XLSX files in it. Installs only when missing.
set -euo pipefail
if command -v soffice >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
command -v soffice >/dev/null
