#!/usr/bin/env bash
# Deploys (creates or updates) the ReportingApi stack from artifacts/packaged.template (deploy/package.sh).
#
# Usage: deploy/deploy.sh STACK_NAME
#   Environment (all required on the first deployment; on updates, unset ones keep their deployed values):
#     VPC_SUBNET_IDS         comma-separated private subnet ids that reach the database (RDS Proxy)
#     VPC_SECURITY_GROUP_ID  the function's security group (allowed into the proxy on 3306)
#     DATABASE_HOST          the RDS Proxy endpoint
#     COGNITO_DOMAIN_PREFIX  prefix of the Cognito hosted domain (tokens: https://PREFIX.auth.REGION.amazoncognito.com)
#   Optional: DATABASE_NAME, DATABASE_USER, ALARM_TOPIC_ARN, LOG_RETENTION_DAYS, RUN_RETENTION_DAYS, FUNCTION_MEMORY_SIZE
#   The partners' client ids (PartnerClientIds) are kept as deployed; deploy/onboard-partner.sh adds to them.
#   After deploying, it applies pending database migrations (the function's "migrate" invocation: cold starts do not
#   migrate) and points the bucket's S3 notifications (ObjectCreated under partners/) at the function's alias.
# Needs: SAM CLI, AWS CLI, AWS credentials.
set -euo pipefail

if [ $# -ne 1 ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
fi
stack_name=$1

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"
packaged_template=artifacts/packaged.template
if [ ! -f "$packaged_template" ]; then
  echo "$packaged_template is missing; run deploy/package.sh first." >&2
  exit 1
fi

overrides=()
add_override() {
  local parameter=$1 value=$2
  if [ -n "$value" ]; then
    overrides+=("$parameter=$value")
  fi
}
add_override VpcSubnetIds "${VPC_SUBNET_IDS:-}"
add_override VpcSecurityGroupId "${VPC_SECURITY_GROUP_ID:-}"
add_override DatabaseHost "${DATABASE_HOST:-}"
add_override DatabaseName "${DATABASE_NAME:-}"
add_override DatabaseUser "${DATABASE_USER:-}"
add_override CognitoDomainPrefix "${COGNITO_DOMAIN_PREFIX:-}"
add_override AlarmTopicArn "${ALARM_TOPIC_ARN:-}"
add_override LogRetentionDays "${LOG_RETENTION_DAYS:-}"
add_override RunRetentionDays "${RUN_RETENTION_DAYS:-}"
add_override FunctionMemorySize "${FUNCTION_MEMORY_SIZE:-}"

# Passed explicitly so that a redeployment never drops onboarded partners from the authorizer's audience.
if partner_client_ids=$(aws cloudformation describe-stacks --stack-name "$stack_name" \
    --query "Stacks[0].Parameters[?ParameterKey=='PartnerClientIds'].ParameterValue" --output text 2>/dev/null); then
  if [ -n "$partner_client_ids" ] && [ "$partner_client_ids" != "None" ]; then
    overrides+=("PartnerClientIds=$partner_client_ids")
  fi
fi

deploy_args=(
  --template-file "$packaged_template"
  --stack-name "$stack_name"
  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND
  --no-fail-on-empty-changeset
)
if [ "${#overrides[@]}" -gt 0 ]; then
  deploy_args+=(--parameter-overrides "${overrides[@]}")
fi
sam deploy "${deploy_args[@]}"

# S3 notifications for the partners' outboxes (partners/{id}/outbox/) and SFTP uploads (partners/{id}/inbound/). They are set here, not in the template: the
# function refers to the bucket (environment, IAM), so a bucket notification that referred to the function would be
# a circular dependency in CloudFormation. The template grants S3 the right to invoke (OutboxNotificationPermission).
# Every object under partners/ is notified (S3 filters have no wildcard for the partner id); the function routes
# uploads to inbound processing and ignores everything that is not directly in an outbox or an inbound folder.
stack_output() {
  aws cloudformation describe-stacks --stack-name "$stack_name" --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
reports_bucket=$(stack_output ReportsBucketName)
function_alias_arn=$(stack_output FunctionAliasArn)

# Database migrations: applied here, once per deployment, not by every cold start (Database__MigrateOnStart is false
# in the template). Publishing a SnapStart version applies them too, before its snapshot; this covers functions
# without SnapStart. On the very first deployment the database user does not exist yet (README, Deploy step 5): then
# this fails, says so, and the deployment goes on; run the same command once the user exists.
migrate_command=(aws lambda invoke --function-name "$function_alias_arn" --cli-binary-format raw-in-base64-out
  --payload '{"kind": "migrate"}' artifacts/migrate-result.json --query FunctionError --output text)
if [ "$("${migrate_command[@]}")" = "None" ]; then
  echo "Migrations: $(cat artifacts/migrate-result.json)"
else
  echo "The migrate invocation failed: $(cat artifacts/migrate-result.json)" >&2
  echo "Apply the migrations once the database is reachable: $(printf "%q " "${migrate_command[@]}")" >&2
fi
aws s3api put-bucket-notification-configuration --bucket "$reports_bucket" --notification-configuration "$(cat <<JSON
{
  "LambdaFunctionConfigurations": [
    {
      "Id": "partner-outboxes",
      "LambdaFunctionArn": "$function_alias_arn",
      "Events": ["s3:ObjectCreated:*"],
      "Filter": { "Key": { "FilterRules": [ { "Name": "prefix", "Value": "partners/" } ] } }
    }
  ]
}
JSON
)"

aws cloudformation describe-stacks --stack-name "$stack_name" --query "Stacks[0].Outputs" --output table
