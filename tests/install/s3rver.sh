#!/usr/bin/env bash
# Installs s3rver (the S3 stand-in the integration tests start) into tests/.tools/node_modules. Idempotent.
set -euo pipefail

S3RVER_VERSION="3.7.1"
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools"
PACKAGE_JSON="$TOOLS_DIR/node_modules/s3rver/package.json"
OBJECT_CONTROLLER="$TOOLS_DIR/node_modules/s3rver/lib/controllers/object.js"
# S3 URL-decodes the whole x-amz-copy-source header, and AWSSDK.S3 4 sends '/' as %2F there; s3rver 3.7.1 uses
# decodeURI, which keeps %2F, so every CopyObject would fail with NoSuchBucket. decodeURIComponent is what S3 does.
COPY_SOURCE_BUG="decodeURI(ctx.headers['x-amz-copy-source'])"
COPY_SOURCE_FIX="decodeURIComponent(ctx.headers['x-amz-copy-source'])"

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

if [ "$(installed_version)" != "$S3RVER_VERSION" ]; then
  mkdir -p "$TOOLS_DIR"
  npm install --prefix "$TOOLS_DIR" --no-save --no-package-lock --no-audit --no-fund "s3rver@$S3RVER_VERSION"
  if [ "$(installed_version)" != "$S3RVER_VERSION" ]; then
    echo "s3rver $S3RVER_VERSION did not install into $TOOLS_DIR" >&2
    exit 1
  fi
fi

if ! grep -qF "$COPY_SOURCE_FIX" "$OBJECT_CONTROLLER"; then
  if ! grep -qF "$COPY_SOURCE_BUG" "$OBJECT_CONTROLLER"; then
    echo "s3rver's copy-source decoding is not where expected in $OBJECT_CONTROLLER; cannot patch it" >&2
    exit 1
  fi
  sed -i "s/decodeURI(ctx.headers\['x-amz-copy-source'\])/decodeURIComponent(ctx.headers['x-amz-copy-source'])/" "$OBJECT_CONTROLLER"
  grep -qF "$COPY_SOURCE_FIX" "$OBJECT_CONTROLLER"
fi
echo "s3rver $S3RVER_VERSION ready in $TOOLS_DIR"
