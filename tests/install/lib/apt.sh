# Sourced by the install scripts (run.sh runs only tests/install/*.sh, not this folder).

# Prints the packages among the arguments that dpkg does not have installed, space-separated.
missing_packages() {
  local package missing=()
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  echo "${missing[*]}"
}

# Installs the packages among the arguments that are missing; runs `apt-get update` only when one is.
install_missing_packages() {
  local missing
  read -r -a missing <<<"$(missing_packages "$@")"
  if ((${#missing[@]} > 0)); then
    echo "$(basename "$0"): installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
