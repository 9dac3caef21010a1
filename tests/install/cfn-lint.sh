#!/usr/bin/env bash
# Installs npm's cfn-lint (the JavaScript CloudFormation validator the deployment tests run on serverless.template and
# deploy/partner.template) into tests/.tools/cfn-lint/node_modules. Idempotent.
# A prefix of its own: `npm install --no-save` into a shared prefix prunes the packages other scripts put there.
set -euo pipefail

CFN_LINT_VERSION="1.9.7"
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/cfn-lint"
PACKAGE_JSON="$TOOLS_DIR/node_modules/cfn-lint/package.json"

installed_version() {
  [ -f "$PACKAGE_JSON" ] && node -p "require(process.argv[1]).version" "$PACKAGE_JSON" 2>/dev/null || true
}

missing_debs=()
command -v node >/dev/null 2>&1 || missing_debs+=(nodejs)
command -v npm >/dev/null 2>&1 || missing_debs+=(npm)
if [ "${#missing_debs[@]}" -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing_debs[@]}"
fi

if [ "$(installed_version)" != "$CFN_LINT_VERSION" ]; then
  mkdir -p "$TOOLS_DIR"
  npm install --prefix "$TOOLS_DIR" --no-save --no-package-lock --no-audit --no-fund "cfn-lint@$CFN_LINT_VERSION"
  if [ "$(installed_version)" != "$CFN_LINT_VERSION" ]; then
    echo "cfn-lint $CFN_LINT_VERSION did not install into $TOOLS_DIR" >&2
    exit 1
  fi
fi
echo "cfn-lint $CFN_LINT_VERSION ready in $TOOLS_DIR"
