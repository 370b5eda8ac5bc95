#!/usr/bin/env bash
# Installs Mnemo on a fresh Debian machine and runs its main job on the shipped model:
# reads a real codebase that ships with Debian (Python's `email` package from the
# standard library) into memory, then asks questions and prints answers with citations.
# Usage: bash scripts/demo.sh [folder] ["question" ...]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=node-check.sh
source scripts/node-check.sh

folder="${1:-/usr/lib/python3.11/email}"
shift || true
questions=("$@")
if [ "${#questions[@]}" -eq 0 ]; then
  questions=(
    "Where is the function that parses an email address list?"
    "How are MIME multipart messages generated?"
    "What does the header registry do?"
  )
fi

if [ ! -d "$folder" ]; then
  echo "No folder at $folder. Pass a folder to read: bash scripts/demo.sh <folder> [\"question\" ...]" >&2
  exit 2
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
  echo "== Installing npm packages =="
  # onnxruntime-node's install script fetches CUDA libraries from outside the npm
  # registry; the CPU and WebGPU providers ship inside the package, so it is skipped.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi
echo "== Building =="
npm run --silent build

mnemo() { node dist/cli.js "$@"; }

echo "== Reading $folder into memory =="
mnemo read "$folder"
echo
mnemo status "$folder"
for q in "${questions[@]}"; do
  echo
  echo "== Q: $q"
  mnemo ask "$folder" "$q"
done
echo
echo "== Summary of $folder"
mnemo summarize "$folder"
