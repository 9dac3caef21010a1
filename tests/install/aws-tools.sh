#!/usr/bin/env bash
# AWS's own tools for the tests, all Python: cfn-lint with aws-sam-translator (the templates are linted and
# SAM-transformed as `sam deploy` would), moto's `moto_server` (S3, KMS, Secrets Manager, Lambda, IAM emulated on a
# loopback port) and botocore (its service models check the Transfer fake's requests).
#
# When a tool is missing it is installed with pip, at the pinned versions, into a virtual environment in
# tests/.tools/python (the tests look there first, then on PATH). When the installed versions differ from the pins
# it says so and carries on with them. It fails only when a tool is missing and pip cannot install it (no PyPI).
set -euo pipefail

PINS=("cfn-lint==1.51.*" "aws-sam-translator==1.110.*" "moto[server]==5.2.1")
VENV="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.tools/python"

source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

# Prints one line per distribution: "name version" or "name missing", for the python3 given.
versions() {
  "$1" - <<'EOF'
from importlib import metadata
for name in ("cfn-lint", "aws-sam-translator", "moto", "botocore", "flask", "flask-cors"):
    try:
        print(name, metadata.version(name))
    except metadata.PackageNotFoundError:
        print(name, "missing")
EOF
}

# The venv's python when it exists, else the one on PATH: the tests make the same choice.
python_in_use() {
  if [[ -x $VENV/bin/python3 ]]; then echo "$VENV/bin/python3"; else command -v python3 || true; fi
}

# Missing pieces of the python in use, one per line (empty when nothing is missing).
missing_tools() {
  local python=$1 bin
  bin=$(dirname "$python")
  versions "$python" | awk '$2 == "missing" { print $1 }'
  for command in cfn-lint moto_server; do
    [[ -x $bin/$command ]] || command -v "$command" >/dev/null 2>&1 || echo "$command (command)"
  done
}

# Pins the installed versions do not match, one per line.
mismatched_pins() {
  versions "$1" | awk '
    $1 == "cfn-lint" && $2 !~ /^1\.51\./ { print "cfn-lint " $2 " (pinned 1.51.x)" }
    $1 == "aws-sam-translator" && $2 !~ /^1\.110\./ { print "aws-sam-translator " $2 " (pinned 1.110.x)" }
    $1 == "moto" && $2 != "5.2.1" { print "moto " $2 " (pinned 5.2.1)" }'
}

install_with_pip() {
  install_missing_packages python3 python3-venv python3-pip
  echo "aws-tools.sh: installing ${PINS[*]} with pip into $VENV"
  python3 -m venv "$VENV"
  if ! "$VENV/bin/python3" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"; then
    rm -rf "$VENV"
    return 1
  fi
}

python=$(python_in_use)
if [[ -z $python ]]; then
  install_missing_packages python3
  python=$(command -v python3)
fi

missing=$(missing_tools "$python")
if [[ -n $missing ]]; then
  echo "aws-tools.sh: missing for $python:" $missing
  if ! install_with_pip; then
    echo "aws-tools.sh: pip could not install ${PINS[*]} (is PyPI reachable?). Missing:" $missing >&2
    exit 1
  fi
  python=$VENV/bin/python3
fi

mismatched=$(mismatched_pins "$python")
if [[ -n $mismatched ]]; then
  # Another version still runs the tests; new lint rules or emulator changes may show up as failures.
  echo "aws-tools.sh: versions differ from the pins:"
  echo "$mismatched" | sed 's/^/  /'
fi

echo "aws-tools.sh: $python:" $(versions "$python" | tr '\n' ' ')
