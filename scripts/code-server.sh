#!/usr/bin/env bash
# Installs a real VS Code (code-server 4.100.3 = VS Code 1.100.3) from the npm registry for
# the end-to-end tests, plus Debian's chromium to drive it.
#
#   scripts/code-server.sh            # install (or confirm) into .cache/code-server
#   MNEMO_CODE_SERVER_DIR=/x scripts/code-server.sh
#
# code-server's own install script downloads binaries from outside the npm registry, which
# CI cannot reach, so every native piece is built here from source against Debian packages
# (see ../shared/ENVIRONMENT.md beside the repository, "A real VS Code to test in"). The last line
# printed is the path of code-server's entry script. A marker file makes a second run
# instant; delete the folder to start over. Non-interactive: safe with no stdin.
set -euo pipefail

VERSION=4.100.3
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${MNEMO_CODE_SERVER_DIR:-$REPO/.cache/code-server}"
CS="$DIR/node_modules/code-server"
ENTRY="$CS/out/node/entry.js"
MARKER="$DIR/.installed-$VERSION"

fail() { echo "code-server.sh: error: $*" >&2; exit 1; }
step() { echo "code-server.sh: $* ($(( SECONDS ))s)"; }

if [[ -f "$MARKER" && -f "$ENTRY" ]]; then
  echo "$ENTRY"
  exit 0
fi

# ---- Debian packages --------------------------------------------------------------------
# ripgrep: VS Code's search; the -dev packages and a C++ toolchain: native modules built
# from source; chromium: the browser Playwright drives.
PACKAGES=(ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config
          g++ make python3 chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if (( ${#missing[@]} )); then
  step "installing Debian packages: ${missing[*]}"
  SUDO=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || fail "not root and no sudo; install as root: apt-get install ${missing[*]}"
    SUDO=(sudo -n)
  fi
  export DEBIAN_FRONTEND=noninteractive  # another apt run may hold the lock: wait for it
  "${SUDO[@]}" apt-get update -q -o DPkg::Lock::Timeout=900 </dev/null \
    || fail "apt-get update failed; is the Debian archive reachable?"
  "${SUDO[@]}" apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=900 "${missing[@]}" </dev/null \
    || fail "apt-get install ${missing[*]} failed"
fi

# ---- Node headers -----------------------------------------------------------------------
# node-gyp would download headers for the running Node; point it at the installed ones.
command -v node >/dev/null || fail "node not found on PATH (Node 20 is needed)"
[[ "$(node -p 'process.versions.node.split(".")[0]')" == 20 ]] \
  || fail "code-server $VERSION needs Node 20; found $(node -v)"
NODEDIR="${MNEMO_NODEDIR:-$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")}"
[[ -f "$NODEDIR/include/node/node.h" ]] \
  || fail "no Node headers at $NODEDIR/include/node; set MNEMO_NODEDIR to a folder holding include/node for $(node -v)"
export npm_config_nodedir="$NODEDIR"
NODE_GYP="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
[[ -f "$NODE_GYP" ]] || fail "npm's bundled node-gyp not found at $NODE_GYP"

# ---- code-server ------------------------------------------------------------------------
# A half-finished earlier run leaves no marker; start clean rather than trust it.
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
echo '{ "private": true, "description": "code-server for Mnemo end-to-end tests" }' > package.json
NPM=(npm --no-audit --no-fund --loglevel=error)

step "npm install code-server@$VERSION"
"${NPM[@]}" install --ignore-scripts "code-server@$VERSION" </dev/null
"${NPM[@]}" rebuild argon2 </dev/null

step "installing VS Code's own dependencies"
(cd "$CS/lib/vscode" && "${NPM[@]}" install --omit=dev --ignore-scripts </dev/null)
(cd "$CS/lib/vscode/extensions" && "${NPM[@]}" install --omit=dev --ignore-scripts </dev/null)

step "building native modules"
VS="$CS/lib/vscode"
mkdir -p "$VS/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$VS/node_modules/@vscode/ripgrep/bin/rg"
# node-pty's post-install runs `npx node-gyp`, which must not stop to ask (no stdin in CI).
(cd "$VS" && npm_config_yes=true "${NPM[@]}" rebuild kerberos node-pty @parcel/watcher </dev/null)
for m in @vscode/spdlog @vscode/deviceid native-watchdog; do
  (cd "$VS/node_modules/$m" && node "$NODE_GYP" rebuild --nodedir="$NODEDIR" --loglevel=error </dev/null) \
    || fail "building $m failed"
done
ln -sfn node_modules "$VS/node_modules.asar"

[[ -f "$ENTRY" ]] || fail "install finished but $ENTRY is missing"
node "$ENTRY" --version >/dev/null 2>&1 || fail "code-server does not start: node $ENTRY --version"
touch "$MARKER"
step "code-server $VERSION ready"
echo "$ENTRY"
