#!/usr/bin/env bash
# Onboards a partner on AWS: its Cognito app client, its SFTP connector and the connector's login key.
#
# Usage: deploy/onboard-partner.sh STACK_NAME PARTNER_ID SFTP_URL SFTP_USER HOST_KEYS_FILE [SCOPES]
#   STACK_NAME      the ReportingApi stack (deploy/deploy.sh)
#   PARTNER_ID      the partner's id in ReportingApi (POST /v1/admin/partners returned it)
#   SFTP_URL        the partner's SFTP server, sftp://host[:port]
#   SFTP_USER       our user on that server
#   HOST_KEYS_FILE  the server's public host keys, one per line as "ssh-ed25519 AAAA..." (from the partner, or
#                   `ssh-keyscan host | cut -d' ' -f2-` checked against the partner's fingerprints); required
#   SCOPES          comma-separated, default "reports/read,reports/deliver"
#
# Deploys the stack STACK_NAME-partner-PARTNER_ID (deploy/partner.template), generates an SSH key pair for the
# connector, stores the private key in the connector's secret (it never stays on disk) and writes the public key to
# artifacts/partners/PARTNER_ID/connector-key.pub for the partner's authorized_keys. Then adds the new client to the
# HTTP API authorizer's audience (Cognito access tokens carry client_id, which the authorizer checks against it).
# Needs: AWS CLI, jq, ssh-keygen, AWS credentials.
set -euo pipefail

usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
}
[ $# -ge 5 ] && [ $# -le 6 ] || usage
stack_name=$1
partner_id=$2
sftp_url=$3
sftp_user=$4
host_keys_file=$5
scopes=${6:-reports/read,reports/deliver}
partner_stack="$stack_name-partner-$partner_id"

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

mapfile -t host_keys < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$host_keys_file")
if [ "${#host_keys[@]}" -eq 0 ]; then
  echo "$host_keys_file holds no host key; the connector would trust no server." >&2
  exit 1
fi
trusted_host_keys=$(IFS=,; echo "${host_keys[*]}")

stack_output() {
  aws cloudformation describe-stacks --stack-name "$1" --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}
user_pool_id=$(stack_output "$stack_name" UserPoolId)
connector_access_role_arn=$(stack_output "$stack_name" ConnectorAccessRoleArn)
token_url=$(stack_output "$stack_name" TokenUrl)
api_url=$(stack_output "$stack_name" ApiUrl)

echo "== Partner stack $partner_stack"
aws cloudformation deploy \
  --template-file deploy/partner.template \
  --stack-name "$partner_stack" \
  --no-fail-on-empty-changeset \
  --parameter-overrides \
    "ReportingStackName=$stack_name" \
    "PartnerId=$partner_id" \
    "UserPoolId=$user_pool_id" \
    "ConnectorAccessRoleArn=$connector_access_role_arn" \
    "AllowedOAuthScopes=$scopes" \
    "SftpUrl=$sftp_url" \
    "SftpUserName=$sftp_user" \
    "TrustedHostKeys=$trusted_host_keys"
client_id=$(stack_output "$partner_stack" ClientId)
connector_id=$(stack_output "$partner_stack" ConnectorId)
connector_secret_arn=$(stack_output "$partner_stack" ConnectorSecretArn)

echo "== Connector login key"
public_key_file="artifacts/partners/$partner_id/connector-key.pub"
mkdir -p "$(dirname "$public_key_file")"
key_dir=$(mktemp -d)
trap 'rm -rf "$key_dir"' EXIT
ssh-keygen -q -t rsa -b 4096 -m PEM -N '' -C "reportingapi-$stack_name-partner-$partner_id" -f "$key_dir/id_rsa"
jq -n --arg user "$sftp_user" --rawfile key "$key_dir/id_rsa" '{Username: $user, PrivateKey: $key}' > "$key_dir/secret.json"
aws secretsmanager put-secret-value --secret-id "$connector_secret_arn" --secret-string "file://$key_dir/secret.json" >/dev/null
cp "$key_dir/id_rsa.pub" "$public_key_file"

echo "== Authorizer audience"
current_client_ids=$(aws cloudformation describe-stacks --stack-name "$stack_name" \
  --query "Stacks[0].Parameters[?ParameterKey=='PartnerClientIds'].ParameterValue" --output text)
if [[ ",$current_client_ids," == *",$client_id,"* ]]; then
  echo "$client_id is already in the audience."
else
  new_client_ids=${current_client_ids:+$current_client_ids,}$client_id
  # Every other parameter keeps its deployed value; JSON, because the list of client ids holds commas.
  aws cloudformation describe-stacks --stack-name "$stack_name" --query "Stacks[0].Parameters[].ParameterKey" --output json \
    | jq --arg ids "$new_client_ids" 'map(if . == "PartnerClientIds"
        then {ParameterKey: ., ParameterValue: $ids}
        else {ParameterKey: ., UsePreviousValue: true} end)' > "$key_dir/parameters.json"
  aws cloudformation update-stack --stack-name "$stack_name" --use-previous-template \
    --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND --parameters "file://$key_dir/parameters.json" >/dev/null
  aws cloudformation wait stack-update-complete --stack-name "$stack_name"
fi

cat <<SUMMARY

Partner $partner_id is set up on AWS.
  Client id:      $client_id
  Client secret:  aws cognito-idp describe-user-pool-client --user-pool-id $user_pool_id --client-id $client_id --query UserPoolClient.ClientSecret --output text
  Token URL:      $token_url (grant_type=client_credentials, scopes: $scopes)
  API:            $api_url
  Connector:      $connector_id
  Public key for the partner's authorized_keys (user $sftp_user): $public_key_file

Next (operator token with reports/admin, see README "Deploy to AWS"):
  PUT /v1/admin/partners/$partner_id          clientId "$client_id"
  PUT /v1/admin/partners/$partner_id/delivery AwsConnector, connector id "$connector_id", the remote directory
  PUT /v1/admin/partners/$partner_id/pgp-key  the partner's public PGP key
Send the client id and secret to the partner over a separate secure channel.
SUMMARY
