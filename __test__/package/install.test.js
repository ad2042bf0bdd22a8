'use strict';
// The published packages, as a user gets them: `npm pack` of the main and the
// platform package, installed from the tarballs into an empty project with no
// registry and nothing but node and npm on PATH (no Rust, no C compiler). There
// a CommonJS script, an ES module script and a TypeScript check use them.
// Needs the addon built (`npm test` builds first). Runs once, not per backend.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const PLATFORM = 'linux-x64-gnu';
const PLATFORM_PKG = `${pkg.name}-${PLATFORM}`;
const ADDON = `js-host-api.${PLATFORM}.node`;

const skip =
  process.platform === 'linux' && process.arch === 'x64' && process.report.getReport().header.glibcVersionRuntime
    ? false
    : `prebuilt packages exist for ${PLATFORM} only`;

let tmp;
let packed; // package name -> { file: its tarball, files: what it holds, version }
let env; // the bare environment the user's project runs in
let project;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20, ...opts });
  const what = `${path.basename(cmd)} ${args.join(' ')}`;
  assert.equal(r.error, undefined, `${what}: ${r.error}`);
  assert.equal(r.status, 0, `${what} exited ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** npm's own entry script: npm sets npm_execpath for the scripts it runs; otherwise the one on PATH. */
function npmCli() {
  if (process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)) return process.env.npm_execpath;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm');
    if (fs.existsSync(candidate)) return fs.realpathSync(candidate);
  }
  throw new Error('npm not found on PATH');
}

/** The environment for everything run in the project: only node and npm on PATH, and no way to a registry. */
function bareEnv() {
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync(npmCli(), path.join(bin, 'npm'));
  const home = path.join(tmp, 'home');
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(home, '.npmrc'), '');
  return {
    PATH: bin,
    HOME: home,
    TMPDIR: tmp,
    npm_config_userconfig: path.join(home, '.npmrc'),
    npm_config_cache: path.join(tmp, 'npm-cache'),
    npm_config_offline: 'true',
    // Nothing listens there: a fetch that --offline failed to prevent fails at once.
    npm_config_registry: 'http://127.0.0.1:9/',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/** An empty project with the given tarballs installed. */
function projectWith(name, tarballs, extraArgs = []) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  run(path.join(env.PATH, 'npm'), ['install', '--offline', '--no-audit', '--no-fund', ...extraArgs, ...tarballs], { cwd: dir, env });
  return dir;
}

/** Runs a script file written into `dir` and returns its stdout parsed as JSON. */
function runScript(dir, file, source) {
  fs.writeFileSync(path.join(dir, file), source);
  const r = run(path.join(env.PATH, 'node'), [file], { cwd: dir, env });
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

before(() => {
  if (skip) return;
  for (const file of [path.join(root, ADDON), path.join(root, 'npm', PLATFORM, ADDON)]) {
    assert.ok(fs.existsSync(file), `${file} is missing: build the addon first (npm run build)`);
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hyperlight-js-install-'));
  const out = path.join(tmp, 'tarballs');
  fs.mkdirSync(out);
  // Not the outer `npm test`'s settings: this is a plain `npm pack` in the checkout.
  const packEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = run(npmCli(), ['pack', '--json', '--workspaces', '--include-workspace-root', '--pack-destination', out], {
    cwd: root,
    env: packEnv,
  });
  packed = {};
  for (const entry of JSON.parse(r.stdout)) {
    packed[entry.name] = { file: path.join(out, entry.filename), files: entry.files.map((f) => f.path).sort(), version: entry.version };
  }
  env = bareEnv();
  project = projectWith('app', [packed[pkg.name].file, packed[PLATFORM_PKG].file]);
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the main package holds the JS, the types and nothing else; the platform package holds the addon', { skip }, () => {
  assert.deepEqual(packed[pkg.name].files, [
    'README.md',
    'index.d.ts',
    'lib/api.js',
    'lib/binding.js',
    'lib/call.js',
    'lib/console.js',
    'lib/errors.js',
    'lib/fetch.js',
    'lib/host-functions.js',
    'lib/index.js',
    'lib/index.mjs',
    'lib/pool.js',
    'package.json',
  ]);
  assert.deepEqual(packed[PLATFORM_PKG].files, ['README.md', ADDON, 'package.json']);
});

test('the main package needs nothing fetched and pins its platform package at its own version', { skip }, () => {
  const main = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', pkg.name, 'package.json'), 'utf8'));
  const platform = JSON.parse(fs.readFileSync(path.join(project, 'node_modules', PLATFORM_PKG, 'package.json'), 'utf8'));
  assert.equal(main.dependencies, undefined);
  assert.equal(main.peerDependencies, undefined);
  assert.deepEqual(main.optionalDependencies, { [PLATFORM_PKG]: main.version });
  assert.equal(platform.version, main.version, 'npm/*/package.json versions must follow the main version (napi version)');
  for (const script of ['preinstall', 'install', 'postinstall']) {
    assert.equal((main.scripts || {})[script], undefined, `the main package must not run "${script}" on install`);
  }
  assert.deepEqual(platform.os, ['linux']);
  assert.deepEqual(platform.cpu, ['x64']);
  assert.deepEqual(platform.libc, ['glibc']);
  // Exactly the two packages: no dependency came from anywhere else.
  const installed = fs.readdirSync(path.join(project, 'node_modules')).filter((d) => !d.startsWith('.'));
  assert.deepEqual(installed, ['@hyperlight']);
  assert.deepEqual(fs.readdirSync(path.join(project, 'node_modules', '@hyperlight')).sort(), ['js-host-api', 'js-host-api-linux-x64-gnu']);
});

test('the project has no toolchain on PATH', { skip }, () => {
  const r = spawnSync('/bin/sh', ['-c', 'command -v cargo rustc clang cc gcc'], { env, encoding: 'utf8' });
  assert.equal(r.stdout, '', `found on the bare PATH: ${r.stdout}`);
});

const HANDLER = `
  import * as math from 'host:math';
  function handler(event) { return { message: 'Hello, ' + event.name + '!', answer: math.add(40, 2) }; }
`;

test('CommonJS: require() loads the package and runs a handler (backend left on auto)', { skip }, () => {
  const out = runScript(project, 'check.cjs', `
    const { SandboxBuilder } = require('@hyperlight/js-host-api');
    (async () => {
      const proto = await new SandboxBuilder().build();
      const backend = proto.backend;
      proto.hostModule('math').register('add', (a, b) => a + b);
      const js = await proto.loadRuntime();
      js.addHandler('greet', ${JSON.stringify(HANDLER)});
      const loaded = await js.getLoadedSandbox();
      const result = await loaded.callHandler('greet', { name: 'CommonJS' }, { wallClockTimeoutMs: 10000 });
      await loaded.unload();
      console.log(JSON.stringify({ backend, result }));
    })().catch((err) => { console.error(err); process.exit(1); });
  `);
  assert.ok(['process', 'hypervisor'].includes(out.backend), out.backend);
  assert.deepEqual(out.result, { message: 'Hello, CommonJS!', answer: 42 });
});

test('ES module: import { SandboxBuilder } loads the package and runs a handler on the process backend', { skip }, () => {
  const out = runScript(project, 'check.mjs', `
    import { SandboxBuilder, LoadedJSSandbox } from '@hyperlight/js-host-api';
    import api from '@hyperlight/js-host-api';
    import { createRequire } from 'node:module';
    const proto = await new SandboxBuilder().setBackend('process').build();
    proto.register('math', 'add', (a, b) => a + b);
    const js = await proto.loadRuntime();
    js.addHandler('greet', ${JSON.stringify(HANDLER)});
    const loaded = await js.getLoadedSandbox();
    const result = await loaded.callHandler('greet', { name: 'ESM' });
    const cjs = createRequire(import.meta.url)('@hyperlight/js-host-api');
    console.log(JSON.stringify({
      backend: proto.backend,
      result,
      entry: import.meta.resolve('@hyperlight/js-host-api').split('/node_modules/').pop(),
      // One module behind both entry points: the same classes either way.
      sameClasses: api.SandboxBuilder === SandboxBuilder && cjs.LoadedJSSandbox === LoadedJSSandbox && loaded instanceof cjs.LoadedJSSandbox,
    }));
    await loaded.unload();
  `);
  assert.deepEqual(out, {
    backend: 'process',
    result: { message: 'Hello, ESM!', answer: 42 },
    entry: '@hyperlight/js-host-api/lib/index.mjs',
    sameClasses: true,
  });
});

test("the README's quick start, copied as it stands into the project, prints the greeting", { skip }, () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const code = section.match(/```js\n([\s\S]*?)```/)?.[1];
  assert.ok(code, "no js block under the README's Quick start");
  fs.writeFileSync(path.join(project, 'greet.mjs'), code);
  const r = run(path.join(env.PATH, 'node'), ['greet.mjs'], { cwd: project, env });
  assert.match(r.stdout, /message: 'Hello, World!'/);
  assert.match(r.stdout, /answer: 42/);
});

test("the package's internals cannot be imported, only its entry points", { skip }, () => {
  const out = runScript(project, 'deep.mjs', `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const internals = ['lib/index.js', 'lib/index.mjs', 'lib', 'index.d.ts', '${ADDON}', 'npm/${PLATFORM}/package.json'];
    const codes = {};
    for (const sub of internals) {
      const spec = '@hyperlight/js-host-api/' + sub;
      try { require(spec); codes['require ' + sub] = 'loaded'; } catch (e) { codes['require ' + sub] = e.code; }
      try { await import(spec); codes['import ' + sub] = 'loaded'; } catch (e) { codes['import ' + sub] = e.code; }
    }
    codes.version = require('@hyperlight/js-host-api/package.json').version;
    console.log(JSON.stringify(codes));
  `);
  assert.equal(out.version, pkg.version);
  delete out.version;
  for (const [what, code] of Object.entries(out)) assert.equal(code, 'ERR_PACKAGE_PATH_NOT_EXPORTED', what);
});

test('the public API type-checks with tsc --strict against the installed index.d.ts, from ESM and CommonJS', { skip }, () => {
  fs.writeFileSync(path.join(project, 'check.mts'), `
import api, {
  SandboxBuilder, ProtoJSSandbox, JSSandbox, LoadedJSSandbox, InterruptHandle, Snapshot, HostModule, hypervisorProbe, SandboxPool, metrics,
  allowOrigins,
} from '@hyperlight/js-host-api';
import type {
  AbortSignalLike, Backend, CallHandlerOptions, CallStats, ErrorCode, FetchOptions, FetchPolicy, FetchRequest, HostFunction, HyperlightError,
  JsonValue, Metrics, SandboxPoolOptions, SandboxPoolStats,
} from '@hyperlight/js-host-api';

// Without DOM or @types/node there is no AbortSignal type: a structural one stands in.
const listeners: Array<() => void> = [];
const signal: AbortSignalLike = {
  aborted: false,
  reason: undefined,
  addEventListener: (_type: 'abort', listener: () => void) => void listeners.push(listener),
  removeEventListener: () => undefined,
};

export function dashboard(): number[] {
  const m: Metrics = metrics();
  const failures: number = Object.values(m.callFailures).reduce((a, b) => a + b, 0);
  return [m.sandboxesCreated.process, m.sandboxesAlive.hypervisor, m.calls, failures, m.monitorTerminations['wall-clock'] ?? 0, m.guestCrashes];
}

export async function pooled(): Promise<number> {
  const recipe: SandboxPoolOptions = {
    handlers: { add: 'import { add } from "host:math"; function handler(e) { return add(e.a, e.b); }' },
    modules: { util: 'export const one = 1;' },
    hostFunctions: { math: { add: (a: number, b: number) => a + b } },
    builder: (b) => b.setHeapSize(16 * 1024 * 1024),
    min: 1,
    max: 2,
    maxQueue: 10,
    idleTimeoutMs: 1000,
    resetAfterEachCall: true,
  };
  const pool = new SandboxPool(recipe);
  await pool.ready();
  const sum = await pool.callHandler<number>('add', { a: 1, b: 2 }, { wallClockTimeoutMs: 1000, signal });
  const stats: SandboxPoolStats = pool.stats;
  const counts: number[] = [stats.size, stats.busy, stats.idle, stats.creating, stats.queued, stats.calls, stats.resets];
  await pool.close({ kill: true });
  const closed: boolean = pool.closed;
  void [counts, closed];
  return sum;
}

export async function everything(): Promise<number> {
  const probe: { available: boolean; reason: string | null } = await hypervisorProbe();
  const builder: SandboxBuilder = new SandboxBuilder()
    .setHeapSize(16 * 1024 * 1024)
    .setScratchSize(1 << 20)
    .setInputBufferSize(1 << 20)
    .setOutputBufferSize(1 << 20)
    .setLoadTimeoutMs(5000)
    .setFetch(allowOrigins(['http://127.0.0.1:8080']), { maxBodyBytes: 1 << 20 })
    .setBackend(probe.available ? 'auto' : 'process');
  const custom: FetchPolicy = async (request: FetchRequest) => {
    const seen: [string, string, string | null, boolean] = [request.url, request.method, request.headers.get('x'), request.signal.aborted];
    void [seen, await request.text()];
    throw new Error('refused');
  };
  const fetchOptions: FetchOptions = { maxBodyBytes: 0 };
  new SandboxBuilder().setFetch(custom, fetchOptions).setFetch(null);
  const proto: ProtoJSSandbox = await builder.build();
  const backend: Backend = proto.backend;
  const reason: string | null = proto.fallbackReason;
  const add: HostFunction = (a: number, b: number) => a + b;
  const math: HostModule = proto.hostModule('math').register('add', add).register('mul', async (a: number, b: number) => a * b);
  const moduleName: string = math.name;
  proto.register('strings', 'upper', (s: string) => s.toUpperCase());
  const js: JSSandbox = await proto.loadRuntime();
  js.addModule('constants', 'export const PI = 3.14159;');
  js.addModule('utils', 'export function greet() { return "hi"; }', 'mylib');
  js.removeModule('utils', 'mylib');
  js.removeModule('constants');
  js.clearModules();
  js.addHandler('drop', 'function handler(e) { return e; }');
  js.removeHandler('drop');
  js.clearHandlers();
  js.addHandler('count', 'function handler(e) { return { n: e.items.length }; }');
  const stillFine: boolean = !js.poisoned && js.backend === backend;
  const loaded: LoadedJSSandbox = await js.getLoadedSandbox();
  const options: CallHandlerOptions = { wallClockTimeoutMs: 1000, cpuTimeoutMs: 500, gc: false, signal };
  const event: JsonValue = { items: [1, 'two', null, true, { three: [3] }] };
  const result = await loaded.callHandler<{ n: number }>('count', event, options);
  const untyped = await loaded.callHandler('count', { items: [] });
  const stats: CallStats | null = loaded.lastCallStats;
  if (stats) {
    const wall: number = stats.wallClockMs;
    const cpu: number | null = stats.cpuTimeMs;
    const by: string | null = stats.terminatedBy;
    void [wall, cpu, by];
  }
  const handle: InterruptHandle = loaded.interruptHandle;
  const wasRunning: boolean = handle.kill();
  const snapshot: Snapshot = await loaded.snapshot();
  await loaded.restore(snapshot);
  const poisoned: boolean = loaded.poisoned;
  const loadedBackend: Backend = loaded.backend;
  const again: JSSandbox = await loaded.unload();
  try {
    await again.getLoadedSandbox();
  } catch (e) {
    const err = e as HyperlightError;
    const code: ErrorCode = err.code;
    const message: string = err.message;
    const name: string = err.name;
    void [code, message, name];
  }
  void [reason, moduleName, stillFine, untyped, wasRunning, poisoned, loadedBackend, api.SandboxBuilder === SandboxBuilder];
  return result.n;
}

// @ts-expect-error not a backend
new SandboxBuilder().setBackend('kvm');
// @ts-expect-error sizes are numbers
new SandboxBuilder().setHeapSize('16MB');
// @ts-expect-error snapshots come only from snapshot()
new Snapshot();
// @ts-expect-error a fetch policy is a function
new SandboxBuilder().setFetch('allow all');
// @ts-expect-error a pool needs its handlers
new SandboxPool({ max: 2 });
// @ts-expect-error a signal is an AbortSignal, not a flag
const flagged: CallHandlerOptions = { signal: true };
export function readOnly(sandbox: LoadedJSSandbox): void {
  // @ts-expect-error read-only
  sandbox.poisoned = false;
}
`);
  fs.writeFileSync(path.join(project, 'check.cts'), `
import hyperlight = require('@hyperlight/js-host-api');

export async function backendOf(): Promise<hyperlight.Backend> {
  const builder: hyperlight.SandboxBuilder = new hyperlight.SandboxBuilder().setBackend('process');
  const proto: hyperlight.ProtoJSSandbox = await builder.build();
  return proto.backend;
}
`);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--strict', '--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022'];
  run(path.join(env.PATH, 'node'), [tsc, ...args, 'check.mts', 'check.cts'], { cwd: project, env });
});

test('without its platform package the package fails with one ERR_INTERNAL error naming the platform and what to do', { skip }, () => {
  const bare = projectWith('no-optional', [packed[pkg.name].file], ['--omit=optional']);
  assert.equal(fs.existsSync(path.join(bare, 'node_modules', PLATFORM_PKG)), false);
  const out = runScript(bare, 'load.cjs', `
    try {
      require('@hyperlight/js-host-api');
      console.log(JSON.stringify({ loaded: true }));
    } catch (e) {
      console.log(JSON.stringify({ code: e.code, message: e.message }));
    }
  `);
  assert.equal(out.code, 'ERR_INTERNAL', out.message);
  for (const part of [PLATFORM, PLATFORM_PKG, 'not installed', 'optional', 'npm run build']) {
    assert.ok(out.message.includes(part), `${JSON.stringify(out.message)} should mention ${JSON.stringify(part)}`);
  }
  // A local build beside lib/, where `npm run build` puts it in a checkout, is the fallback.
  fs.copyFileSync(path.join(root, ADDON), path.join(bare, 'node_modules', pkg.name, ADDON));
  assert.deepEqual(runScript(bare, 'load.cjs', fs.readFileSync(path.join(bare, 'load.cjs'), 'utf8')), { loaded: true });
});
