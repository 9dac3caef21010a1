#!/usr/bin/env bash
# Installs wrk (Debian package), the HTTP load generator of the load benchmark (--load). Not in tests/install: the
# tests do not need it, only the benchmark, which runs this script when wrk is missing.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../install/lib/apt.sh"
install_missing_packages wrk
command -v wrk >/dev/null || { echo "install-wrk.sh: wrk is missing after the install" >&2; exit 1; }
