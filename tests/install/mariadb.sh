#!/usr/bin/env bash
# Installs the MariaDB server and client binaries for the integration tests. The tests start their own private
# mariadbd (temporary datadir, loopback port), so the distribution's system service is stopped and disabled.
set -euo pipefail

packages=(mariadb-server mariadb-client)

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
read -r -a missing <<<"$(missing_packages "${packages[@]}")"

if ((${#missing[@]} > 0)); then
  echo "mariadb.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The package's post-install script would start the system service; policy-rc.d exit 101 forbids that.
  # Any policy-rc.d that was already there is put back afterwards.
  policy=/usr/sbin/policy-rc.d
  saved_policy=""
  if [[ -e $policy ]]; then
    saved_policy=$(mktemp)
    cp -p "$policy" "$saved_policy"
  fi
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  restore_policy() {
    if [[ -n $saved_policy ]]; then mv "$saved_policy" "$policy"; else rm -f "$policy"; fi
  }
  trap restore_policy EXIT
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  restore_policy
  trap - EXIT
fi

# A system server left running (from an earlier install, or one that ignored policy-rc.d) is not needed:
# stop it so that it holds no port or memory. Our tests never use it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mariadb 2>/dev/null; then
  systemctl stop mariadb || true
  systemctl disable mariadb >/dev/null 2>&1 || true
elif [[ -x /etc/init.d/mariadb ]] && /etc/init.d/mariadb status >/dev/null 2>&1; then
  /etc/init.d/mariadb stop >/dev/null || true
fi

for binary in mariadbd mariadb-install-db mariadb; do
  if ! command -v "$binary" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$binary ]]; then
    echo "mariadb.sh: $binary is missing after the install" >&2
    exit 1
  fi
done
echo "mariadb.sh: $(/usr/sbin/mariadbd --version 2>/dev/null || mariadbd --version)"
