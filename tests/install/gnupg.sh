#!/usr/bin/env bash
# Installs GnuPG for the OpenPGP interoperability tests (tests/ReportingApi.IntegrationTests/Pgp): gpg, gpg-agent
# (secret-key operations) and gpgconf (the tests stop each temporary agent with it). Every test uses its own
# temporary GNUPGHOME, so nothing is configured here.
set -euo pipefail

packages=(gpg gpg-agent gpgconf)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "gnupg.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

gpg --version | head -n 1
