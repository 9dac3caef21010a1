#!/usr/bin/env bash
# A local SFTP server for partners, as the Transfer Family server is on AWS: OpenSSH sshd, key logins only, one chroot per
# partner user showing /inbound (the object store folder's partners/{id}/inbound, writable) and /reports
# (partners/{id}/outbound, read-only), nothing else.
#
#   sudo deploy/local-partner-sftp.sh --objects src/ReportingApi/.local/objects \
#        --users src/ReportingApi/.local/sftp-users --state src/ReportingApi/.local/sftp-server [--port 2222] [--listen 127.0.0.1]
#
# --objects  the folder object store (ObjectStore:FolderPath). Partners log in with the uid and gid that own it, so
#            what they upload belongs to the app's user; it must not be owned by root.
# --users    the app's SftpUsers:OpenSsh:UsersPath: one folder per user with authorized_keys (read at every login, so
#            key changes apply at once) and home ("{entry} {rw|ro} {object prefix}" lines). Users added or removed
#            need this script restarted.
# --state    keeps the server's host key (so partners' known_hosts stay valid across restarts) and generated config.
#
# Root is needed: sshd chroots and switches users, and the chroots are bind mounts of the object store folders. They
# live in a mount namespace of sshd's own (unshare), with a passwd that knows the partner users, so nothing outside it
# changes but an empty mount point, /run/reportingapi-sftp. A chroot must be root-owned up to / and not under a
# world-writable folder; the mounts give that wherever the object store is, and a partner cannot create links (symlink
# and hardlink requests are refused) that the app would follow out of its folder. Runs in the foreground; Ctrl-C stops it.
set -euo pipefail

readonly SSHD=/usr/sbin/sshd
readonly MOUNT_POINT=/run/reportingapi-sftp
readonly USER_NAME_PATTERN='^[a-z0-9][a-z0-9._-]{2,31}$'
readonly ENTRY_PATTERN='^/[a-z0-9_-]+$'
readonly PREFIX_PATTERN='^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$'

fail() { echo "local-partner-sftp: $*" >&2; exit 1; }

objects="" users="" state="" port=2222 listen=127.0.0.1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --objects) objects="$2"; shift 2 ;;
    --users) users="$2"; shift 2 ;;
    --state) state="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --listen) listen="$2"; shift 2 ;;
    *) fail "unknown argument $1 (see the comment at the top of $0)" ;;
  esac
done
[[ -n "$objects" && -n "$users" && -n "$state" ]] || fail "--objects, --users and --state are required"
[[ "$port" =~ ^[0-9]+$ ]] || fail "--port must be a number"
[[ $(id -u) -eq 0 ]] || fail "needs root (sudo): sshd chroots partners and switches to their user"
for tool in "$SSHD" unshare mount setpriv ssh-keygen; do
  command -v "$tool" >/dev/null || fail "$tool is missing: run tests/install/openssh.sh"
done
[[ -d "$objects" ]] || fail "no object store folder at $objects"
[[ -d "$users" ]] || fail "no users folder at $users (the app writes it when a partner's SFTP user is put)"
objects=$(realpath "$objects") users=$(realpath "$users")
mkdir -p "$state"
state=$(realpath "$state")

uid=$(stat -c %u "$objects") gid=$(stat -c %g "$objects")
[[ "$uid" -ne 0 ]] || fail "$objects is owned by root: partners would log in as root. chown it to the user that runs the app."

# The partner users and their home entries: "user entry mode target-folder" per line.
declare -a names=() mounts=()
for folder in "$users"/*/; do
  [[ -d "$folder" ]] || continue
  name=$(basename "$folder")
  if [[ ! "$name" =~ $USER_NAME_PATTERN ]]; then echo "skipping $folder: not a user name" >&2; continue; fi
  [[ -f "$folder/authorized_keys" && -f "$folder/home" ]] || { echo "skipping $name: no authorized_keys or home" >&2; continue; }
  while read -r entry mode prefix rest; do
    [[ -z "$entry" ]] && continue
    [[ -z "$rest" && "$entry" =~ $ENTRY_PATTERN && "$mode" =~ ^(rw|ro)$ && "$prefix" =~ $PREFIX_PATTERN ]] \
      || fail "$folder/home: '$entry $mode $prefix $rest' is not '{/entry} {rw|ro} {object prefix}'"
    # Created as the owner (never as root), then resolved: a link must not lead out of the object store.
    setpriv --reuid="$uid" --regid="$gid" --clear-groups mkdir -p "$objects/$prefix"
    target=$(realpath "$objects/$prefix")
    [[ "$target" == "$objects"/* ]] || fail "$folder/home: $prefix leads out of $objects"
    [[ "$mode" == ro || $(stat -c %u "$target") -eq "$uid" ]] || fail "$target is writable for partners but not owned by uid $uid (the object store's owner): chown it"
    mounts+=("$name $entry $mode $target")
  done < "$folder/home"
  names+=("$name")
done
[[ ${#names[@]} -gt 0 ]] || fail "no partner users under $users"

host_key="$state/ssh_host_ed25519_key"
[[ -f "$host_key" ]] || ssh-keygen -q -t ed25519 -N "" -C "reportingapi-local-sftp" -f "$host_key"
{ cat /etc/passwd; for name in "${names[@]}"; do echo "$name:x:$uid:$gid:ReportingApi partner:/:/usr/sbin/nologin"; done; } > "$state/passwd"
printf '%s\n' "${mounts[@]}" > "$state/mounts"
cat > "$state/sshd_config" <<EOF
Port $port
ListenAddress $listen
HostKey $host_key
PidFile none
AllowUsers ${names[*]}
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
AuthorizedKeysFile $MOUNT_POINT/users/%u/authorized_keys
ChrootDirectory $MOUNT_POINT/chroots/%u
Subsystem sftp internal-sftp
ForceCommand internal-sftp -l VERBOSE -P symlink,hardlink,users-groups-by-id
DisableForwarding yes
PermitTTY no
PermitUserRC no
LogLevel VERBOSE
EOF
chown -R "$uid:$gid" "$state"
chmod 600 "$host_key"

echo "Partner SFTP on $listen:$port for ${names[*]}; host key $(ssh-keygen -l -f "$host_key.pub" | cut -d' ' -f2)" >&2
echo "known_hosts line: [$listen]:$port $(cut -d' ' -f1-2 "$host_key.pub")" >&2

mkdir -p "$MOUNT_POINT" /run/sshd
# In a mount namespace of its own: a small root-owned tmpfs holds the chroots and a read-only view of the users folder;
# each chroot entry is a bind mount of its object store folder (read-only ones remounted so); the passwd with the
# partner users replaces /etc/passwd. Then the shell becomes sshd (same process: stopping it stops sshd).
exec unshare --mount --propagation private /bin/bash -euo pipefail -c '
  mount_point=$1 users=$2 state=$3 sshd=$4
  mount -t tmpfs -o mode=0755,size=1m reportingapi-sftp "$mount_point"
  mkdir "$mount_point/users" "$mount_point/chroots"
  mount --bind "$users" "$mount_point/users"
  mount -o remount,bind,ro "$mount_point/users"
  while read -r name entry mode target; do
    mkdir -p "$mount_point/chroots/$name$entry"
    mount --bind "$target" "$mount_point/chroots/$name$entry"
    if [[ "$mode" == ro ]]; then mount -o remount,bind,ro "$mount_point/chroots/$name$entry"; fi
  done < "$state/mounts"
  mount --bind "$state/passwd" /etc/passwd
  exec "$sshd" -D -e -f "$state/sshd_config"
' local-partner-sftp "$MOUNT_POINT" "$users" "$state" "$SSHD"
