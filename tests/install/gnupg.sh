#!/usr/bin/env bash
# Installs GnuPG for the OpenPGP interoperability tests (tests/ReportingApi.IntegrationTests/Pgp): gpg, gpg-agent
# (secret-key operations) and gpgconf (the tests stop each temporary agent with it). Every test uses its own
# temporary GNUPGHOME, so nothing is configured here.
set -euo pipefail

packages=(gpg gpg-agent gpgconf)

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
read -r -a missing <<<"$(missing_packages "${packages[@]}")"

if ((${#missing[@]} > 0)); then
  echo "gnupg.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

gpg --version | head -n 1
