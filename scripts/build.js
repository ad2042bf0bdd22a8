#!/usr/bin/env node
// Installs what the build needs when it is missing, then builds the guest
// executable and the addon (with the guest embedded) and puts the addon
// where lib/index.js looks for it. Safe to re-run: each step is skipped
// when already satisfied, and cargo only rebuilds what changed.
'use strict';

const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = new Set(process.argv.slice(2));
const profile = args.has('--debug') ? 'debug' : 'release';

// hyperlight-js builds its micro-VM guest for a custom target, which stable
// Rust only allows with RUSTC_BOOTSTRAP=1 (see the README). Set for every cargo
// run so all of them share one set of build artifacts.
process.env.RUSTC_BOOTSTRAP = '1';

function log(msg) {
  console.log(`[build] ${msg}`);
}

function run(cmd, cmdArgs, opts = {}) {
  log(`${cmd} ${cmdArgs.join(' ')}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`[build] failed: ${cmd} ${cmdArgs.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function hasLibclang() {
  try {
    return /libclang(-\d+)?\.so/.test(execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

// rquickjs generates its bindings with bindgen, which needs libclang; cc needs a C compiler.
function ensureSystemPackages() {
  const missing = [];
  if (!has('clang')) missing.push('clang');
  if (!hasLibclang()) missing.push('libclang-dev');
  if (!has('cc') && !has('gcc')) missing.push('build-essential');
  if (missing.length === 0) return;
  if (process.getuid && process.getuid() !== 0) {
    console.error(`[build] missing system packages: ${missing.join(' ')}; install them (e.g. sudo apt-get install -y ${missing.join(' ')}) and re-run`);
    process.exit(1);
  }
  if (!has('apt-get')) {
    console.error(`[build] missing system packages (${missing.join(' ')}) and no apt-get to install them with`);
    process.exit(1);
  }
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function ensureRust() {
  if (!has('cargo')) {
    console.error('[build] cargo not found: install Rust (https://rustup.rs) and re-run');
    process.exit(1);
  }
  // The micro-VM guest is built with -Zbuild-std, which needs the standard library's sources.
  if (has('rustup')) {
    const installed = spawnSync('rustup', ['component', 'list', '--installed'], { encoding: 'utf8' }).stdout || '';
    if (!installed.split('\n').some((c) => c.startsWith('rust-src'))) run('rustup', ['component', 'add', 'rust-src']);
  }
}

// `npm ci` in `dir` unless every locked package is already there.
function ensureNpmPackages(dir = root, env = process.env) {
  const lock = path.join(dir, 'package-lock.json');
  if (!fs.existsSync(lock)) return;
  const pkgs = JSON.parse(fs.readFileSync(lock, 'utf8')).packages || {};
  const needed = Object.keys(pkgs).filter((p) => p.startsWith('node_modules/') && !pkgs[p].optional);
  if (needed.every((p) => fs.existsSync(path.join(dir, p)))) return;
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env });
}

function build() {
  const release = profile === 'release' ? ['--release'] : [];
  const target = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), profile);
  run('cargo', ['build', '--locked', ...release, '-p', 'hyperlight-js-guest']);
  const guest = path.join(target, 'hyperlight-js-guest');
  run('cargo', ['build', '--locked', ...release, '-p', 'hyperlight-js-host-api'], {
    env: { ...process.env, HYPERLIGHT_JS_GUEST_BIN: guest },
  });
  const addon = path.join(root, `js-host-api.${process.platform}-${process.arch}.node`);
  // Copy then rename: overwriting in place would corrupt the library under any running process that mapped it.
  const tmp = `${addon}.${process.pid}.tmp`;
  fs.copyFileSync(path.join(target, 'libhyperlight_js_host_api.so'), tmp);
  fs.renameSync(tmp, addon);
  log(`addon (${profile}) → ${path.relative(root, addon)}`);
}

ensureSystemPackages();
ensureRust();
ensureNpmPackages();
// The benchmark's peers; isolated-vm compiles its addon against Node's own headers.
if (args.has('--bench')) ensureNpmPackages(path.join(root, 'bench'), { ...process.env, npm_config_nodedir: '/usr' });
if (!args.has('--setup-only')) build();
