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
