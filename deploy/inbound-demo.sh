#!/usr/bin/env bash
# Inbound demo on a laptop: demo partner 1 (demo-acme) uploads a file over SFTP, signed with its demo PGP key and
# encrypted to the company key, and the app stores it decrypted. Needs the app running with its embedded defaults
# (dotnet run --project src/ReportingApi --urls http://127.0.0.1:5080) and root for the local SFTP server.
#
#   sudo deploy/inbound-demo.sh [--api http://127.0.0.1:5080] [--port 2222]
#
# It puts partner-1's SFTP user (a new Ed25519 key) through the admin API, starts deploy/local-partner-sftp.sh over the
# app's .local folders, uploads demo.csv.pgp to /inbound/, waits for the status to say stored (the worker sweeps every
# few seconds), prints the status and compares the stored clear file with the original, then stops the server.
set -euo pipefail

api=http://127.0.0.1:5080 port=2222
while [[ $# -gt 0 ]]; do
  case "$1" in
    --api) api="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    *) echo "usage: $0 [--api URL] [--port PORT]" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
local_folder="$repo/src/ReportingApi/.local"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

token() { curl -sf -X POST "$api/oauth2/token" -u "$1" -d grant_type=client_credentials | jq -r .access_token; }
admin=$(token demo-operator:operator-demo-secret)
partner=$(token demo-acme:acme-demo-secret)

ssh-keygen -q -t ed25519 -N "" -C "demo-acme inbound demo" -f "$work/partner_ed25519"
curl -sf -X PUT "$api/v1/admin/partners/1/sftp-user" -H "Authorization: Bearer $admin" -H "Content-Type: application/json" \
  -d "{\"publicKeys\":[\"$(cat "$work/partner_ed25519.pub")\"]}" | jq .

# The partner's side: its demo key signs, the company's public key encrypts.
export GNUPGHOME="$work/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --import "$local_folder/demo-keys/company.public.asc"
gpg --batch --quiet --pinentry-mode loopback --passphrase-file "$local_folder/demo-keys/demo-acme.passphrase" \
  --import "$local_folder/demo-keys/demo-acme.secret.asc"
printf 'employee_id,name,start_date\n%s,Demo Person %s,2026-12-01\n' "$RANDOM" "$RANDOM" > "$work/demo.csv"
company=$(gpg --batch --with-colons --list-keys reports@localhost | awk -F: '/^fpr/ {print $10; exit}')
acme=$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr/ {print $10; exit}')
gpg --batch --quiet --pinentry-mode loopback --passphrase-file "$local_folder/demo-keys/demo-acme.passphrase" --trust-model always \
  -u "$acme" -r "$company" --encrypt --sign -o "$work/demo.csv.pgp" "$work/demo.csv"

"$repo/deploy/local-partner-sftp.sh" --objects "$local_folder/objects" --users "$local_folder/sftp-users" \
  --state "$local_folder/sftp-server" --port "$port" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do ssh-keyscan -p "$port" 127.0.0.1 > "$work/known_hosts" 2>/dev/null && break; sleep 0.2; done
[[ -s "$work/known_hosts" ]] || { cat "$work/server.log" >&2; exit 1; }

name="demo-$(date +%s).csv.pgp"
echo "put $work/demo.csv.pgp /inbound/$name" | sftp -b - -i "$work/partner_ed25519" -P "$port" \
  -o IdentitiesOnly=yes -o UserKnownHostsFile="$work/known_hosts" partner-1@127.0.0.1

for _ in $(seq 60); do
  file=$(curl -sf -H "Authorization: Bearer $partner" "$api/v1/inbound-files" | jq --arg name "$name" '[.[] | select(.fileName == $name)][0]')
  status=$(jq -r '.status // empty' <<< "$file")
  [[ "$status" == stored || "$status" == rejected ]] && break
  sleep 1
done
jq . <<< "$file"
[[ "$status" == stored ]] || { echo "not stored" >&2; exit 1; }
stored=$(curl -sf -H "Authorization: Bearer $admin" "$api/v1/admin/inbound-files/$(jq -r .id <<< "$file")" | jq -r .keys.stored)
cmp "$work/demo.csv" "$local_folder/objects/$stored" && echo "stored byte-identical: src/ReportingApi/.local/objects/$stored"
