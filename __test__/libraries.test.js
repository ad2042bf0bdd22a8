'use strict';
// Real npm libraries that lean on the guest's standard globals, bundled as a
// user of this package would (esbuild, ESM, browser platform) and loaded with
// addModule: each must give what it gives in Node. The versions are pinned in
// package.json's devDependencies.
//   uuid, nanoid       crypto.getRandomValues / randomUUID
//   @msgpack/msgpack   TextEncoder / TextDecoder
//   normalize-url      URL / URLSearchParams

const { test } = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const esbuild = require('esbuild');

const { loaded, BACKEND } = require('./helpers');

const ENTRY = `
export { v4, v5, v7, validate, version, parse, stringify } from 'uuid';
export { nanoid, customAlphabet } from 'nanoid';
export { encode, decode } from '@msgpack/msgpack';
export { default as normalizeUrl } from 'normalize-url';
`;

// The same calls on both sides; `lib` is the bundle's namespace (or Node's
// own imports). Random outputs are checked by shape, the rest by value.
const USE = `(lib) => {
  const ids = [lib.v4(), lib.v4(), lib.v7()];
  const packed = lib.encode({ text: 'héllo wörld €𝄞 '.repeat(8), n: [1, -2, 3.5], nested: { ok: true } });
  const custom = lib.customAlphabet('abcdef', 12)();
  return {
    uuidShapes: ids.map((id) => [lib.validate(id), lib.version(id)]),
    distinct: new Set(ids).size,
    v5: lib.v5('hello.example', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'),
    roundTrip: lib.stringify(lib.parse('6ba7b810-9dad-11d1-80b4-00c04fd430c8')),
    nanoid: /^[A-Za-z0-9_-]{21}$/.test(lib.nanoid()),
    custom: /^[a-f]{12}$/.test(custom),
    packed: Array.from(packed),
    unpacked: lib.decode(packed),
    urls: [
      'HTTP://www.Example.com:80/a/../b/?b=2&a=1#hash',
      'example.com//foo//bar',
      'https://xn--mnchen-3ya.test/%7Efoo/?utm_source=x&q=%20a',
      'http://user:pw@example.com/?',
    ].map((u) => lib.normalizeUrl(u)),
  };
}`;

let bundle;
async function bundled() {
  bundle ??= (
    await esbuild.build({
      stdin: { contents: ENTRY, resolveDir: path.join(__dirname, '..'), loader: 'js' },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    })
  ).outputFiles[0].text;
  return bundle;
}

async function inNode() {
  const lib = {
    ...(await import('uuid')),
    ...(await import('nanoid')),
    ...(await import('@msgpack/msgpack')),
    normalizeUrl: (await import('normalize-url')).default,
  };
  return JSON.parse(JSON.stringify((0, eval)(USE)(lib)));
}

test(`bundled npm libraries give Node's results in the guest (${BACKEND})`, async () => {
  const source = await bundled();
  assert.ok(source.length > 10_000, 'the bundle holds the libraries');
  const sb = await loaded({ use: `import * as lib from 'user:lib'; const use = ${USE}; function handler() { return use(lib); }` }, undefined, {
    lib: source,
  });
  const [want, got] = [await inNode(), await sb.callHandler('use', {})];
  assert.deepEqual(want.uuidShapes, [[true, 4], [true, 4], [true, 7]], 'Node itself');
  assert.equal(want.distinct, 3);
  assert.deepEqual(got, want);
});

test(`library ids differ between sandboxes (${BACKEND})`, async () => {
  const source = await bundled();
  const handler = `import { v4, nanoid } from 'user:lib'; function handler() { return [v4(), nanoid()]; }`;
  const [a, b] = [await loaded({ ids: handler }, undefined, { lib: source }), await loaded({ ids: handler }, undefined, { lib: source })];
  const [x, y] = [await a.callHandler('ids', {}), await b.callHandler('ids', {})];
  assert.notEqual(x[0], y[0]);
  assert.notEqual(x[1], y[1]);
});
