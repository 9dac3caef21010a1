#!/usr/bin/env bash
# Installs what the SFTP delivery tests need: OpenSSH sshd (started by the tests as a private server on a
# loopback port) and the sftp/ssh/ssh-keygen clients. Idempotent and non-interactive.
set -euo pipefail

packages=()
command -v sftp >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 || packages+=(openssh-client)
[ -x /usr/sbin/sshd ] || packages+=(openssh-server)

if [ ${#packages[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${packages[@]}"
fi

# sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd
