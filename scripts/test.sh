#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs every test Mnemo has:
#   1. unit and integration tests of the core, CLI and extension logic (`npm test`),
#      against the real ONNX runtime and the shipped model;
#   2. the model pipeline: a tiny model trained from scratch on CPU, exported to ONNX,
#      and checked for parity between PyTorch and onnxruntime-node;
#   3. the end-to-end suite: the packaged VSIX installed into a real VS Code (code-server)
#      driven by Chromium.
# Usage: bash scripts/test.sh [--no-e2e] [--no-train]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=node-check.sh
source scripts/node-check.sh

run_e2e=1 run_train=1
for arg in "$@"; do
  case "$arg" in
    --no-e2e) run_e2e=0 ;;
    --no-train) run_train=0 ;;
    *) echo "unknown option: $arg" >&2; exit 64 ;;
  esac
done

step() { printf '\n== %s ==\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# libopenblas0-pthread replaces the reference BLAS that Debian's torch links by default (15x faster matmul).
debian_packages=(python3-torch python3-onnx python3-numpy python3-regex python3-tqdm libopenblas0-pthread)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ] && [ "$run_train" = 1 ]; then
  step "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "Installing npm packages"
# onnxruntime-node's install script fetches CUDA libraries from outside the npm registry;
# the CPU and WebGPU providers ship inside the package, so the script is skipped.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci --no-audit --no-fund

step "Type checking"
npm run typecheck

step "Unit and integration tests"
npm test

if [ "$run_train" = 1 ]; then
  step "Model pipeline: tiny training, export, parity"
  bash models/ci_check.sh
  MNEMO_MODEL_DIR=build/model-ci node --test out/test/core/parity.test.js
fi

step "Benchmark quick mode"
# The benchmark reads real inputs: a slice of Debian's kernel sources and its documentation.
bench_missing=()
for pkg in linux-source-6.1 linux-doc; do
  dpkg -s "$pkg" >/dev/null 2>&1 || bench_missing+=("$pkg")
done
if [ "${#bench_missing[@]}" -gt 0 ]; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${bench_missing[@]}" >/dev/null
fi
npm run bench -- --quick

if [ "$run_e2e" = 1 ]; then
  step "End to end in code-server"
  bash scripts/code-server.sh
  npm run test:e2e
fi

step "All tests passed"
