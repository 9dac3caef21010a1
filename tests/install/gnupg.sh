#!/usr/bin/env bash
# Installs GnuPG for the OpenPGP interoperability tests (tests/ReportingApi.IntegrationTests/Pgp): gpg, gpg-agent
# (secret-key operations) and gpgconf (the tests stop each temporary agent with it). Every test uses its own
# temporary GNUPGHOME, so nothing is configured here.
set -euo pipefail

packages=(gpg gpg-agent gpgconf)

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
install_missing_packages "${packages[@]}"

gpg --version | head -n 1
