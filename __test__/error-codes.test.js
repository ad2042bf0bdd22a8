'use strict';
// The error codes are listed once in JS (lib/errors.js, ERROR_CODES). The
// engine's ErrorCode enum (Rust) and the ErrorCode type in index.d.ts spell
// them again; this file fails when either lists a code the others do not.
// It reads the sources as text, so it needs no build and no addon.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ERROR_CODES } = require('../lib/errors.js');

const root = path.join(__dirname, '..');

/** The one Rust file under crates/ that declares `enum ErrorCode` (today crates/engine/src/error.rs). */
function rustErrorFile() {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'target') walk(p);
      else if (entry.name.endsWith('.rs') && /\benum\s+ErrorCode\b/.test(fs.readFileSync(p, 'utf8'))) found.push(p);
    }
  };
  walk(path.join(root, 'crates'));
  assert.equal(found.length, 1, `expected one enum ErrorCode under crates/, found: ${found.join(', ') || 'none'}`);
  return found[0];
}

/** The codes a Rust source spells as string literals, and how many variants its enum ErrorCode has. */
function rustCodes(source) {
  const codes = [...source.matchAll(/"(ERR_[A-Z_]+)"/g)].map((m) => m[1]);
  const body = source.match(/\benum\s+ErrorCode\s*\{([^}]*)\}/)?.[1];
  assert.ok(body !== undefined, 'no enum ErrorCode { ... } in the Rust source');
  const variants = body
    .replace(/\/\/.*$/gm, '')
    .replace(/#\[[^\]]*\]/g, '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  return { codes: [...new Set(codes)], variants };
}

/** The codes in index.d.ts's `export type ErrorCode = ...;`. */
function typeCodes(source) {
  const union = source.match(/export\s+type\s+ErrorCode\s*=([^;]*);/)?.[1];
  assert.ok(union !== undefined, 'no `export type ErrorCode = ...;` in index.d.ts');
  return [...union.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]);
}

const sorted = (list) => [...list].sort();

/** Asserts the Rust and TypeScript sources list exactly the codes in `js`. */
function assertSameCodes(js, rustSource, typesSource) {
  assert.equal(new Set(js).size, js.length, `lib/errors.js lists a code twice: ${js}`);
  const rust = rustCodes(rustSource);
  assert.deepEqual(sorted(rust.codes), sorted(js), 'the Rust ErrorCode strings and lib/errors.js ERROR_CODES differ');
  assert.equal(rust.variants.length, js.length, `enum ErrorCode has ${rust.variants.length} variants (${rust.variants}), lib/errors.js ${js.length} codes`);
  const types = typeCodes(typesSource);
  assert.equal(new Set(types).size, types.length, `index.d.ts lists a code twice: ${types}`);
  assert.deepEqual(sorted(types), sorted(js), 'index.d.ts ErrorCode and lib/errors.js ERROR_CODES differ');
}

const rustSource = () => fs.readFileSync(rustErrorFile(), 'utf8');
const typesSource = () => fs.readFileSync(path.join(root, 'index.d.ts'), 'utf8');

test('the engine, index.d.ts and lib/errors.js list the same error codes', () => {
  assert.ok(ERROR_CODES.length > 0);
  assertSameCodes([...ERROR_CODES], rustSource(), typesSource());
});

test('a code added to or missing from one place fails the check', () => {
  const rust = rustSource();
  const types = typeCodes(typesSource()).map((c) => `'${c}'`);
  const typesWith = (list) => `export type ErrorCode = ${list.join(' | ')};`;
  const last = ERROR_CODES.at(-1);
  // The sources as they are pass; each edit below must not.
  assertSameCodes([...ERROR_CODES], rust, typesWith(types));
  const edits = {
    'a code only in JS': () => assertSameCodes([...ERROR_CODES, 'ERR_NEW'], rust, typesWith(types)),
    'a code only in index.d.ts': () => assertSameCodes([...ERROR_CODES], rust, typesWith([...types, "'ERR_NEW'"])),
    'a code missing from index.d.ts': () => assertSameCodes([...ERROR_CODES], rust, typesWith(types.slice(0, -1))),
    'a code only in Rust': () => assertSameCodes([...ERROR_CODES], rust.replace(`"${last}"`, `"${last}", "ERR_NEW"`), typesWith(types)),
    'a code renamed in Rust': () => assertSameCodes([...ERROR_CODES], rust.replace(`"${last}"`, '"ERR_RENAMED"'), typesWith(types)),
    'a Rust variant without its own code': () => assertSameCodes([...ERROR_CODES], rust.replace(/enum\s+ErrorCode\s*\{/, '$&\n    Extra,'), typesWith(types)),
    'a code twice in JS': () => assertSameCodes([...ERROR_CODES, last], rust, typesWith(types)),
  };
  for (const [what, check] of Object.entries(edits)) {
    assert.throws(check, assert.AssertionError, what);
  }
});
