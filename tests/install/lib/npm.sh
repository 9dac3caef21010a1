# Sourced by the install scripts that need an npm package. Needs lib/apt.sh.

# Installs npm package NAME at VERSION into PREFIX/node_modules unless that version is there already. A prefix per
# tool: `npm install --no-save` into a shared prefix prunes the packages other scripts put there.
install_npm_package() {
  local name=$1 version=$2 prefix=$3
  local package_json="$prefix/node_modules/$name/package.json"
  # By command, not by package: a Node.js from NodeSource brings its own npm, which Debian's npm package conflicts with.
  local debs=()
  command -v node >/dev/null 2>&1 || debs+=(nodejs)
  command -v npm >/dev/null 2>&1 || debs+=(npm)
  ((${#debs[@]} == 0)) || install_missing_packages "${debs[@]}"
  if [ "$(npm_package_version "$package_json")" != "$version" ]; then
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund "$name@$version"
    if [ "$(npm_package_version "$package_json")" != "$version" ]; then
      echo "$name $version did not install into $prefix" >&2
      return 1
    fi
  fi
}

npm_package_version() {
  [ -f "$1" ] && node -p "require(process.argv[1]).version" "$1" 2>/dev/null || true
}
