#!/usr/bin/env node
// Installs what the build needs when it is missing, then builds the guest
// executable and the addon (with the guest embedded) and puts the addon
// where lib/index.js looks for it. Safe to re-run: each step is skipped
// when already satisfied, and cargo only rebuilds what changed.
//
// Flags: --release (default) or --debug; --process-only builds the addon
// without the micro-VM backend (no Hyperlight guest toolchain needed);
// --setup-only installs and builds nothing; --bench also installs bench/'s peers.
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

// The locked packages in `dir`, unless every one is already there. Not
// `npm ci`: it refuses a lock that lacks other platforms' optional packages
// (@napi-rs/cli's native helpers), which is the lock a registry serving only
// this platform produces; `npm install` installs the same locked versions.
function ensureNpmPackages(dir = root, env = process.env) {
  const lock = path.join(dir, 'package-lock.json');
  if (!fs.existsSync(lock)) return;
  const pkgs = JSON.parse(fs.readFileSync(lock, 'utf8')).packages || {};
  const needed = Object.keys(pkgs).filter((p) => p.startsWith('node_modules/') && !pkgs[p].optional);
  if (needed.every((p) => fs.existsSync(path.join(dir, p)))) return;
  run('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env });
}

// Into place by rename: overwriting in place would corrupt the library under
// any running process that mapped it. `link` shares the file instead of
// copying it (a debug addon is large), where the file system allows.
function install(from, to, link = false) {
  const tmp = `${to}.${process.pid}.tmp`;
  fs.rmSync(tmp, { force: true });
  if (!(link && tryLink(from, tmp))) fs.copyFileSync(from, tmp);
  fs.renameSync(tmp, to);
}

function tryLink(from, to) {
  try {
    fs.linkSync(from, to);
    return true;
  } catch {
    return false;
  }
}

function build() {
  const release = profile === 'release' ? ['--release'] : [];
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
  const target = path.join(targetDir, profile);
  run('cargo', ['build', '--locked', ...release, '-p', 'hyperlight-js-guest']);
  const guest = path.join(target, 'hyperlight-js-guest');
  // napi stages its output next to --output-dir, so that is kept inside the
  // target dir rather than beside the checkout.
  const outDir = path.join(targetDir, 'napi', profile);
  const napi = path.join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
  const features = args.has('--process-only') ? ['--no-default-features'] : [];
  run(
    process.execPath,
    [napi, 'build', '--platform', ...release, ...features, '-p', 'hyperlight-js-host-api', '--output-dir', outDir, '--', '--locked'],
    { env: { ...process.env, HYPERLIGHT_JS_GUEST_BIN: guest } },
  );
  const built = fs.readdirSync(outDir).filter((f) => /^js-host-api\.[\w-]+\.node$/.test(f));
  if (built.length !== 1) {
    console.error(`[build] expected one js-host-api.<platform>.node in ${outDir}, found: ${built.join(', ') || 'none'}`);
    process.exit(1);
  }
  const name = built[0];
  install(path.join(outDir, name), path.join(root, name));
  log(`addon (${profile}${features.length ? ', process backend only' : ''}) → ${name}`);
  // Where this host has a platform package (npm/<platform>, linked into
  // node_modules as a workspace), lib/index.js loads that one first: keep it
  // the same build.
  const platformDir = path.join(root, 'npm', name.slice('js-host-api.'.length, -'.node'.length));
  if (fs.existsSync(path.join(platformDir, 'package.json'))) {
    install(path.join(root, name), path.join(platformDir, name), true);
    log(`addon → ${path.relative(root, path.join(platformDir, name))}`);
  }
}

ensureSystemPackages();
ensureRust();
ensureNpmPackages();
// The benchmark's peers; isolated-vm compiles its addon against Node's own headers.
if (args.has('--bench')) ensureNpmPackages(path.join(root, 'bench'), { ...process.env, npm_config_nodedir: '/usr' });
if (!args.has('--setup-only')) build();
