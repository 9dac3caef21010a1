#!/usr/bin/env bash
# Builds the Lambda package and uploads it.
#
# Usage: deploy/package.sh ARTIFACT_BUCKET [S3_PREFIX]
#   ARTIFACT_BUCKET  an S3 bucket of yours for deployment artifacts (not the reports bucket)
#   S3_PREFIX        key prefix for the uploads (default: reportingapi)
#
# Publishes src/ReportingApi framework-dependent for linux-x64 with ReadyToRun (the managed dotnet10 runtime
# provides .NET; ReadyToRun shortens the cold start and the SnapStart warm-up) into artifacts/lambda/ReportingApi,
# the CodeUri of serverless.template, then writes artifacts/packaged.template, which deploy/deploy.sh deploys.
# Needs: .NET 10 SDK, SAM CLI, AWS credentials.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0" >&2
  exit 2
fi
artifact_bucket=$1
s3_prefix=${2:-reportingapi}

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

publish_dir=artifacts/lambda/ReportingApi
rm -rf "$publish_dir"
dotnet publish src/ReportingApi/ReportingApi.csproj \
  -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
  -o "$publish_dir"

sam package \
  --template-file serverless.template \
  --s3-bucket "$artifact_bucket" \
  --s3-prefix "$s3_prefix" \
  --output-template-file artifacts/packaged.template

echo "Packaged: artifacts/packaged.template (deploy it with deploy/deploy.sh)"
