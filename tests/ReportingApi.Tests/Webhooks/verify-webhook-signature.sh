#!/bin/sh
# Checks a webhook request's signature by hand, as a partner would (the README's shell snippet; WebhookShellSnippetTests
# runs it against what the app sends):
#   WEBHOOK_SECRET=whsec_... sh verify-webhook-signature.sh BODY_FILE 'WEBHOOK_SIGNATURE_HEADER' [TOLERANCE_SECONDS]
# BODY_FILE holds the request body exactly as received. Exit 0 when one v1 signature matches and t is within the
# tolerance (default 300 s) of this machine's clock. The comparison is not constant-time and openssl gets the secret
# on its command line: for trying things out, not for a production receiver.
set -eu
body_file=$1 header=$2 tolerance=${3:-300}

entries=$(printf '%s\n' "$header" | tr ',' '\n' | sed 's/^ *//; s/ *$//')
t=$(printf '%s\n' "$entries" | sed -n 's/^t=\([0-9][0-9]*\)$/\1/p')
[ -n "$t" ] || { echo "no t= in the signature header" >&2; exit 1; }

age=$(( $(date +%s) - t ))
[ "${age#-}" -le "$tolerance" ] || { echo "t is ${age} s away from now, more than ${tolerance} s" >&2; exit 1; }

# The signed string is "{t}.{body}"; the key is the whole secret, whsec_ included.
expected=$({ printf '%s.' "$t"; cat "$body_file"; } | openssl dgst -sha256 -hmac "$WEBHOOK_SECRET" -r | cut -d' ' -f1)
if printf '%s\n' "$entries" | grep -qx "v1=$expected"; then
  echo "valid"
else
  echo "no v1 signature matches" >&2
  exit 1
fi
