#!/usr/bin/env bash
# Installs code-server (VS Code in a browser) into .tools/code-server for `npm start` and the e2e
# suite. It lives in its own folder with its own lockfile (tools/code-server/) so the extension's
# `npm ci` stays fast and code-server never ends up in the extension's dependency tree.
#
# Version: 4.100.3 (VS Code 1.100.3) is the newest code-server that runs on Node 20; 4.103+ need
# Node 22. Idempotent: does nothing when the pinned version is already installed.
# Needs (Debian): build-essential python3 pkg-config libkrb5-dev ripgrep; installed here when run
# as root and missing (.ci/run installs them too).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
want=$(node -p 'require("./tools/code-server/package.json").dependencies["code-server"]')
dest=$root/.tools/code-server
bin=$dest/node_modules/code-server/out/node/entry.js

installed=$(node -p "try { require('$dest/node_modules/code-server/package.json').version } catch { '' }" 2>/dev/null || true)
if [ "$installed" = "$want" ] && [ -f "$bin" ] && [ -f "$dest/.installed" ]; then
  echo "code-server $want already installed in .tools/code-server"
  exit 0
fi

# code-server's native modules build from source: on Debian, install what they need when running
# as root (so `npm install && npm start` works on a fresh machine); otherwise name the packages.
needed=(build-essential python3 pkg-config libkrb5-dev ripgrep)
if command -v dpkg >/dev/null; then
  missing=()
  for p in "${needed[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing Debian packages code-server needs: ${missing[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "code-server needs these Debian packages: ${missing[*]}; run: sudo apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
fi

echo "installing code-server $want into .tools/code-server (a few minutes: native modules build from source)"
rm -rf "$dest"
mkdir -p "$dest"
cp tools/code-server/package.json tools/code-server/package-lock.json "$dest/"

# @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here: pre-seed its
# cache with the system's rg so the download is skipped.
if command -v rg >/dev/null; then
  tmp=${TMPDIR:-/tmp}
  # The cache folder is named after @vscode/ripgrep's version (1.15.11 in VS Code 1.100.3).
  cache=$tmp/vscode-ripgrep-cache-1.15.11
  tarball=$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
  if [ ! -f "$tarball" ]; then
    mkdir -p "$cache"
    staging=$(mktemp -d)
    cp "$(command -v rg)" "$staging/rg"
    tar -C "$staging" -czf "$tarball" rg
    rm -rf "$staging"
  fi
else
  echo "warning: no system ripgrep; @vscode/ripgrep will try to download it (apt-get install ripgrep)" >&2
fi

# npm_config_yes: node-pty's install step runs `npx node-gyp`, which a `yes=false` npmrc refuses.
# --unsafe-perm: as root npm would otherwise drop privileges for code-server's postinstall.
# argon2's prebuilt download fails offline-from-GitHub and it then builds from source by itself.
(
  cd "$dest"
  npm_config_yes=true npm ci --unsafe-perm --no-audit --no-fund --loglevel=error
)
test -f "$bin" || { echo "code-server install finished but $bin is missing" >&2; exit 1; }
touch "$dest/.installed"
echo "code-server $want installed: $dest/node_modules/.bin/code-server"
