#!/usr/bin/env bash
# Installs s3rver (the S3 stand-in the integration tests start) into tests/.tools/node_modules. Idempotent.
set -euo pipefail

S3RVER_VERSION="3.7.1"
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools"
PACKAGE_JSON="$TOOLS_DIR/node_modules/s3rver/package.json"

installed_version() {
  [ -f "$PACKAGE_JSON" ] && node -p "require(process.argv[1]).version" "$PACKAGE_JSON" 2>/dev/null || true
}

missing_debs=()
command -v node >/dev/null 2>&1 || missing_debs+=(nodejs)
command -v npm >/dev/null 2>&1 || missing_debs+=(npm)
command -v openssl >/dev/null 2>&1 || missing_debs+=(openssl)
if [ "${#missing_debs[@]}" -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing_debs[@]}"
fi

if [ "$(installed_version)" = "$S3RVER_VERSION" ]; then
  echo "s3rver $S3RVER_VERSION already installed in $TOOLS_DIR"
  exit 0
fi

mkdir -p "$TOOLS_DIR"
npm install --prefix "$TOOLS_DIR" --no-save --no-package-lock --no-audit --no-fund "s3rver@$S3RVER_VERSION"

if [ "$(installed_version)" != "$S3RVER_VERSION" ]; then
  echo "s3rver $S3RVER_VERSION did not install into $TOOLS_DIR" >&2
  exit 1
fi
echo "s3rver $S3RVER_VERSION installed in $TOOLS_DIR"
