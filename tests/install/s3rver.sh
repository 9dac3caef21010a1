#!/usr/bin/env bash
# Installs s3rver (the S3 stand-in the integration tests start) into tests/.tools/node_modules. Idempotent.
set -euo pipefail

S3RVER_VERSION="3.7.1"
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools"
OBJECT_CONTROLLER="$TOOLS_DIR/node_modules/s3rver/lib/controllers/object.js"
# S3 URL-decodes the whole x-amz-copy-source header, and AWSSDK.S3 4 sends '/' as %2F there; s3rver 3.7.1 uses
# decodeURI, which keeps %2F, so every CopyObject would fail with NoSuchBucket. decodeURIComponent is what S3 does.
COPY_SOURCE_BUG="decodeURI(ctx.headers['x-amz-copy-source'])"
COPY_SOURCE_FIX="decodeURIComponent(ctx.headers['x-amz-copy-source'])"

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib/npm.sh"
install_missing_packages openssl
install_npm_package s3rver "$S3RVER_VERSION" "$TOOLS_DIR"

if ! grep -qF "$COPY_SOURCE_FIX" "$OBJECT_CONTROLLER"; then
  if ! grep -qF "$COPY_SOURCE_BUG" "$OBJECT_CONTROLLER"; then
    echo "s3rver's copy-source decoding is not where expected in $OBJECT_CONTROLLER; cannot patch it" >&2
    exit 1
  fi
  sed -i "s/decodeURI(ctx.headers\['x-amz-copy-source'\])/decodeURIComponent(ctx.headers['x-amz-copy-source'])/" "$OBJECT_CONTROLLER"
  grep -qF "$COPY_SOURCE_FIX" "$OBJECT_CONTROLLER"
fi
echo "s3rver $S3RVER_VERSION ready in $TOOLS_DIR"
