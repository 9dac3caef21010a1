#!/usr/bin/env bash
# Installs npm's cfn-lint (the JavaScript CloudFormation validator the deployment tests run on serverless.template and
# deploy/partner.template) into tests/.tools/cfn-lint/node_modules. Idempotent.
set -euo pipefail

CFN_LINT_VERSION="1.9.7"
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/cfn-lint"

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/npm.sh"
install_npm_package cfn-lint "$CFN_LINT_VERSION" "$TOOLS_DIR"
echo "cfn-lint $CFN_LINT_VERSION ready in $TOOLS_DIR"
