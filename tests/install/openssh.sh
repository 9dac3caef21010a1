#!/usr/bin/env bash
# Installs what the SFTP delivery tests need: OpenSSH sshd (started by the tests as a private server on a
# loopback port, in a mount namespace of its own: unshare and mount), ssh-keygen, and openssl (hashes the test
# user's password). Idempotent and non-interactive.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
install_missing_packages openssh-client openssh-server openssl util-linux mount

# sshd refuses to start without its privilege-separation directory.
mkdir -p /run/sshd
chmod 0755 /run/sshd
