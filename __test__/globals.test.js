'use strict';
// The guest's standard globals (crates/guest-env) with Node as the oracle:
// the same source runs in Node and in a sandbox of this run's backend, and
// the results must be the same. Randomness has its own tests at the end.

const { test } = require('node:test');
const assert = require('node:assert/strict');
const { Console } = require('node:console');
const { Writable } = require('node:stream');

const { loaded, BACKEND, SLOW } = require('./helpers');
const { asCurrentNode, withCurrentAssert } = require('../crates/guest-env/tests/node-oracle.cjs');
const { SandboxPool } = require('../lib');

// Each probe is an expression; its value, made JSON-safe the same way on both
// sides, is compared. A probe that throws is compared by the error's name and
// message.
const PROBES = {
  // Presence and shape of every global, as `typeof`.
  globals: [
    'typeof crypto', 'typeof crypto.getRandomValues', 'typeof crypto.randomUUID', 'typeof crypto.subtle.digest',
    'typeof TextEncoder', 'typeof TextDecoder', 'typeof URL', 'typeof URLSearchParams', 'typeof structuredClone',
    'typeof AbortController', 'typeof AbortSignal', 'typeof Event', 'typeof EventTarget', 'typeof CustomEvent',
    'typeof DOMException', 'typeof console.warn', 'typeof console.error', 'typeof console.info', 'typeof console.debug',
    'typeof console.trace', 'typeof console.assert', 'typeof console.dir', 'typeof console.table',
    'typeof setTimeout', 'typeof clearTimeout', 'typeof setInterval', 'typeof clearInterval', 'typeof setImmediate', 'typeof clearImmediate',
    'typeof fetch', 'typeof Request', 'typeof Response', 'typeof Headers', 'typeof Blob', 'typeof File', 'typeof ReadableStream',
    'typeof atob', 'typeof btoa',
  ],
  // The fetch family's own objects (the network is fetch.test.js's).
  fetchFamily: [
    '[...new Headers([["B", "2"], ["a", "1"], ["b", "3"]])]',
    'new Headers({ "x-y": " padded " }).get("X-Y")',
    '(() => { try { new Headers({ "bad name": "v" }); } catch (e) { return [e.name, e.message]; } })()',
    'new Blob(["héllo", new Uint8Array([33])], { type: "Text/Plain" }).type',
    'new Blob(["héllo", new Uint8Array([33])]).size',
    'btoa("hello, world")', 'atob("aGVsbG8sIHdvcmxk")', 'atob(" aGk ")',
    '(() => { try { atob("*"); } catch (e) { return [e.name, e.message]; } })()',
    '(() => { try { btoa("€"); } catch (e) { return [e.name, e.message]; } })()',
    '(() => { const r = new Response("x", { status: 201 }); return [r.status, r.ok, r.statusText, r.headers.get("content-type"), r.bodyUsed]; })()',
    '(() => { const r = Response.json({ a: 1 }); return [r.status, r.headers.get("content-type")]; })()',
    '(() => { try { new Response("x", { status: 99 }); } catch (e) { return [e.name, e.message]; } })()',
    '(() => { const r = new Request("https://a.example/p?q#h", { method: "post", body: "b" }); return [r.url, r.method, r.headers.get("content-type"), r.redirect]; })()',
    '(() => { try { new Request("https://a.example/", { method: "GET", body: "x" }); } catch (e) { return [e.name, e.message]; } })()',
    '(() => { try { new Request("/relative"); } catch (e) { return [e.name, e.message]; } })()',
  ],
  encoding: [
    'Array.from(new TextEncoder().encode("héllo wörld €𝄞"))',
    'Array.from(new TextEncoder().encode("a\\uD800b"))',
    'Array.from(new TextEncoder().encode())',
    'new TextEncoder().encoding',
    '(() => { const d = new Uint8Array(5); const r = new TextEncoder().encodeInto("a€b", d); return [r, Array.from(d)]; })()',
    '(() => { const d = new Uint8Array(3); return new TextEncoder().encodeInto("a€", d); })()',
    'new TextDecoder().decode(new Uint8Array([104, 195, 169, 240, 157, 132, 158]))',
    'new TextDecoder().decode(new Uint8Array([0xff, 0x61, 0xc3, 0x62, 0xe2, 0x82]))',
    'new TextDecoder().decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))',
    'new TextDecoder("utf-8", { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])).length',
    'new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array([0xc3]))',
    'new TextDecoder(" UTF8 ").encoding',
    'new TextDecoder("x-no-such-encoding")',
    '(() => { const d = new TextDecoder(); const b = [0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]; return b.map((x) => d.decode(new Uint8Array([x]), { stream: true })).join("|") + d.decode(); })()',
    '(() => { const d = new TextDecoder(); return d.decode(new Uint8Array([0xe2, 0x82]), { stream: true }) + "|" + d.decode(); })()',
    'new TextDecoder().decode(new DataView(new Uint8Array([0, 104, 105, 0]).buffer, 1, 2))',
    '[new TextDecoder().fatal, new TextDecoder().ignoreBOM, new TextDecoder("utf8", { fatal: true }).fatal]',
  ],
  url: [
    'new URL("https://user:pw@example.com:8080/a/./b/../c?x=1&y=2#frag").href',
    'Object.fromEntries(["protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "hash", "origin"].map((k) => [k, new URL("https://user:pw@EXAMPLE.com:443/p%20q?a=b c#d e")[k]]))',
    'new URL("../x?y#z", "http://h.test/a/b/c").href',
    'new URL("//other.test/p", "https://h.test/").href',
    'new URL("http://[::1]:3000/").host',
    'new URL("http://192.168.0.1.").hostname',
    'new URL("file:///C:/dir/file.txt").pathname',
    'new URL("HTTP://h.test:80/").href',
    'new URL("http://münchen.test/").hostname',
    'new URL("mailto:someone@example.com").pathname',
    'new URL("not a url")',
    'new URL("/relative")',
    '[URL.canParse("https://a.test"), URL.canParse("nope"), URL.canParse("/p", "https://a.test")]',
    '(() => { const u = new URL("https://a.test/p?q=1"); u.pathname = "/x y"; u.search = "a=1&b=2"; u.hash = "h"; u.port = "8443"; u.hostname = "b.test"; return u.href; })()',
    '(() => { const u = new URL("https://a.test/"); u.protocol = "ftp"; return u.href; })()',
    '(() => { const u = new URL("https://a.test/"); u.port = "99999"; return u.port; })()',
    '(() => { const u = new URL("https://a.test/?a=1"); u.searchParams.append("b", "x y"); u.searchParams.set("a", "2"); return [u.href, u.search]; })()',
    '(() => { const u = new URL("https://a.test/?a=1"); u.search = "?z=9"; return u.searchParams.get("z"); })()',
    'JSON.stringify(new URL("https://a.test/p"))',
    'new URLSearchParams("?a=1&b=2&a=3&c=%20x+y&d").toString()',
    '[...new URLSearchParams("a=1&b=2&a=3").getAll("a")]',
    '(() => { const p = new URLSearchParams({ z: "1", a: "2", m: "é&=+" }); p.sort(); return p.toString(); })()',
    'new URLSearchParams([["x", "1"], ["y", "2"]]).toString()',
    '(() => { const p = new URLSearchParams("a=1&b=2&a=3"); p.delete("a"); return [p.toString(), p.has("a"), p.has("b"), p.size]; })()',
    '[...new URLSearchParams("a=1&b=2").entries()]',
    'new URLSearchParams("q=%F0%9F%98%80&bad=%ZZ&x=%E2%82").toString()',
    'new URLSearchParams("*-._~!\'()").toString()',
  ],
  clone: [
    'JSON.stringify(structuredClone({ a: [1, { b: 2 }], s: "x", n: null }))',
    '(() => { const o = { self: null }; o.self = o; const c = structuredClone(o); return [c !== o, c.self === c]; })()',
    '(() => { const m = structuredClone(new Map([[1, { a: 1 }]])); return [m instanceof Map, m.get(1).a]; })()',
    '(() => { const s = structuredClone(new Set([1, "a"])); return [...s]; })()',
    'structuredClone(new Date(0)).toISOString()',
    '(() => { const r = structuredClone(/ab+c/gi); return [r.source, r.flags, r.lastIndex]; })()',
    '(() => { const u = structuredClone(new Uint16Array([1, 2, 3])); return [u.constructor.name, Array.from(u)]; })()',
    '(() => { const b = new ArrayBuffer(4); const c = structuredClone({ x: new Uint8Array(b), y: new Uint8Array(b, 2) }); c.x[2] = 7; return [c.x.buffer === c.y.buffer, c.y[0]]; })()',
    '(() => { const e = structuredClone(new RangeError("bad")); return [e instanceof RangeError, e.name, e.message]; })()',
    'structuredClone(() => 1)',
    'structuredClone(Symbol("s"))',
    'structuredClone({ f() {} })',
    '(() => { class P { constructor() { this.v = 1; } } const c = structuredClone(new P()); return [Object.getPrototypeOf(c) === Object.prototype, c.v]; })()',
    '(() => { const a = [1, , 3]; const c = structuredClone(a); return [c.length, 1 in c]; })()',
    'structuredClone(-0) === 0 && 1 / structuredClone(-0)',
    'typeof structuredClone(10n)',
  ],
  events: [
    '(() => { const t = new EventTarget(); const seen = []; const f = (e) => seen.push(e.type); t.addEventListener("x", f); t.addEventListener("x", f); t.dispatchEvent(new Event("x")); t.removeEventListener("x", f); t.dispatchEvent(new Event("x")); return seen; })()',
    '(() => { const t = new EventTarget(); let n = 0; t.addEventListener("x", () => n++, { once: true }); t.dispatchEvent(new Event("x")); t.dispatchEvent(new Event("x")); return n; })()',
    '(() => { const t = new EventTarget(); t.addEventListener("x", (e) => e.preventDefault()); return [t.dispatchEvent(new Event("x", { cancelable: true })), t.dispatchEvent(new Event("x"))]; })()',
    '(() => { const t = new EventTarget(); const seen = []; t.addEventListener("x", (e) => { seen.push(1); e.stopImmediatePropagation(); }); t.addEventListener("x", () => seen.push(2)); t.dispatchEvent(new Event("x")); return seen; })()',
    '(() => { const t = new EventTarget(); let who; t.addEventListener("x", { handleEvent(e) { who = [e.target === t, e.currentTarget === t]; } }); t.dispatchEvent(new Event("x")); return who; })()',
    '(() => { const e = new CustomEvent("c", { detail: { a: 1 } }); return [e.type, e.detail.a, e instanceof Event]; })()',
    '(() => { const e = new Event("x"); return [e.bubbles, e.cancelable, e.defaultPrevented, e.isTrusted, e.eventPhase]; })()',
    '(() => { const c = new AbortController(); const seen = []; c.signal.addEventListener("abort", () => seen.push(c.signal.reason.name)); c.abort(); c.abort(); return [c.signal.aborted, seen, c.signal.reason instanceof DOMException, c.signal.reason.message]; })()',
    '(() => { const c = new AbortController(); c.abort("why"); try { c.signal.throwIfAborted(); } catch (e) { return e; } })()',
    '(() => { const s = AbortSignal.abort(); return [s.aborted, s.reason.name, s.reason.code]; })()',
    '(() => { const a = new AbortController(); const s = AbortSignal.any([a.signal, new AbortController().signal]); a.abort(7); return [s.aborted, s.reason]; })()',
    '(() => { const c = new AbortController(); let n = 0; c.signal.onabort = () => n++; c.abort(); return n; })()',
    '(() => { const t = new EventTarget(); const c = new AbortController(); let n = 0; t.addEventListener("x", () => n++, { signal: c.signal }); t.dispatchEvent(new Event("x")); c.abort(); t.dispatchEvent(new Event("x")); return n; })()',
    '[new DOMException("m", "DataCloneError").code, new DOMException("m").name, new DOMException("m", "AbortError") instanceof Error]',
  ],
  crypto: [
    '/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID())',
    '(() => { const a = new Uint32Array(4); return crypto.getRandomValues(a) === a; })()',
    'crypto.getRandomValues(new Uint8Array(65537))',
    'crypto.getRandomValues(new Float64Array(2))',
    'crypto.getRandomValues(new BigUint64Array(2)).length',
    'crypto.getRandomValues(new Uint8Array(0)).length',
    '(() => { const x = Math.random(); return x >= 0 && x < 1; })()',
  ],
};

// Promises (crypto.subtle.digest) are awaited on both sides.
const ASYNC_PROBES = [
  'crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc")).then((b) => Array.from(new Uint8Array(b)))',
  'crypto.subtle.digest({ name: "sha-1" }, new Uint8Array([1, 2, 3])).then((b) => Array.from(new Uint8Array(b)))',
  'crypto.subtle.digest("SHA-384", new ArrayBuffer(0)).then((b) => b.byteLength)',
  'crypto.subtle.digest("SHA-512", new DataView(new Uint8Array([9, 9]).buffer)).then((b) => Array.from(new Uint8Array(b)).slice(0, 8))',
  'crypto.subtle.digest("MD5", new Uint8Array(1)).then(() => "resolved", (e) => e.name)',
];

/** The same JSON-safe rendering of a probe's outcome on both sides. */
const RENDER = `(function render(v) {
  if (v instanceof Error || (typeof DOMException === 'function' && v instanceof DOMException)) {
    const out = { error: v.name, message: v.message };
    if (v.code !== undefined) out.code = v.code;
    return out;
  }
  if (v === undefined) return { undefined: true };
  if (typeof v === 'bigint') return { bigint: String(v) };
  if (Array.isArray(v)) return v.map(render);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, render(x)]));
  return v;
})`;

const PROBE_HANDLER = `
const render = ${RENDER};
async function handler(e) {
  const out = [];
  for (const src of e.sources) {
    try {
      out.push(render(await (0, eval)(src)));
    } catch (err) {
      out.push(render(err));
    }
  }
  return out;
}`;

async function inNode(sources) {
  const render = (0, eval)(RENDER);
  const out = [];
  for (const src of sources) {
    try {
      out.push(render(await (0, eval)(src)));
    } catch (err) {
      out.push(render(err));
    }
  }
  return JSON.parse(JSON.stringify(out));
}

let probeSandbox;
async function inSandbox(sources) {
  probeSandbox ??= await loaded({ probe: PROBE_HANDLER });
  return probeSandbox.callHandler('probe', { sources });
}

for (const [group, sources] of Object.entries({ ...PROBES, async: ASYNC_PROBES })) {
  test(`${group}: the guest gives what Node gives (${BACKEND})`, async () => {
    const [want, got] = [await inNode(sources), await inSandbox(sources)];
    for (let i = 0; i < sources.length; i++) {
      assert.deepEqual(got[i], want[i], `probe: ${sources[i]}`);
    }
  });
}

// Console output: what Node's console prints for the same calls (warn and
// error included: their streams differ, their text must not).
const CONSOLE = [
  'console.log("plain", 1, true, null, undefined)',
  'console.log({ a: 1, b: "two", c: [1, 2, 3], d: { e: { f: { g: 1 } } } })',
  'console.log([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27])',
  'console.log(["apple", "banana", "cherry", "date", "elderberry", "fig", "grape", "honeydew"])',
  'console.log({ name: "a fairly long string value here", other: "another fairly long string", third: 12345, fourth: [1, 2, 3] })',
  'console.log("%s is %d years and %i days, %f, %j, %o, %O %%", "Bob", 42.5, 3.9, "1.5", { a: 1 }, [1], { b: 2 })',
  'console.log("%c styled", "color: red", "extra")',
  'console.log(new Map([["a", 1], ["b", { c: 2 }]]), new Set([1, "x"]))',
  'console.log([undefined, null, -0, 0n, Symbol("s"), NaN, Infinity])',
  'console.log({ "key with space": 1, valid_id: 2, 3: "num", "it\'s": "q" })',
  'console.log(["it\'s", \'say "hi"\', `both \' and "`])',
  'console.log(function named() {}, () => {}, class Foo {}, Math.max)',
  'console.log(new Date(0), /re+gex/g)',
  'console.log(new Uint8Array([1, 2, 3]), new ArrayBuffer(2))',
  'console.log(Object.create(null), [1, , 3], { get g() { return 1; }, set s(v) {} })',
  'console.log((() => { const o = { name: "loop" }; o.self = o; return o; })())',
  'console.log(new (class Point { constructor() { this.x = 1; this.y = 2; } })())',
  'console.log([[1, [2, [3, [4, [5]]]]]], { a: { b: { c: { d: {} } } } })',
  'console.log(Array.from({ length: 120 }, (_, i) => i))',
  'console.log(Object.fromEntries(Array.from({ length: 30 }, (_, i) => ["k" + i, i])))',
  'console.log("multi\\nline", { s: "multi\\nline" })',
  'console.log(new Number(3), new String("x"), new Boolean(false))',
  'console.info("info", { level: 1 })',
  'console.debug("debug", [1])',
  'console.warn("warn", new Set())',
  'console.error("error %s", "formatted")',
  'console.assert(true, "never shown")',
  'console.assert(false, "shown %s", "formatted")',
  'console.assert(false)',
  'console.assert(false, { not: "a string" })',
  'console.dir({ a: { b: { c: { d: 1 } } } }, { depth: 0 })',
  'console.table([{ a: 1, b: "x" }, { a: 2, c: true }])',
  'console.table({ r1: { c1: 1 }, r2: { c2: 2 } })',
  'console.table([1, "two", { three: 3 }])',
  'console.table([{ a: 1, b: 2 }], ["b"])',
  'console.table("not tabular")',
  'console.count(); console.count(); console.count("x"); console.countReset(); console.count()',
  'console.group("outer"); console.log("in 1"); console.group(); console.log({ a: 1,\n b: "multi\\nline" }); console.groupEnd(); console.log("in 2"); console.groupEnd(); console.log("out")',
];

/**
 * Node's console output for the snippets: per snippet, each write as
 * [stream, text] (Node's console writes one chunk per call).
 */
function nodeConsole() {
  const blocks = CONSOLE.map(() => []);
  let current;
  const stream = (name) =>
    new Writable({
      write(chunk, _enc, cb) {
        current.push([name, String(chunk)]);
        cb();
      },
    });
  const c = withCurrentAssert(new Console({ stdout: stream('stdout'), stderr: stream('stderr'), colorMode: false }));
  CONSOLE.forEach((src, i) => {
    current = blocks[i];
    new Function('console', src)(c);
  });
  return blocks;
}

/** Where Node's console writes each level. */
const STREAM = { log: 'stdout', info: 'stdout', debug: 'stdout', warn: 'stderr', error: 'stderr', trace: 'stderr' };

/** The sandbox's console output for the same snippets, through a function sink, as Node's is kept. */
async function sandboxConsole() {
  const blocks = [];
  let current;
  const sandbox = await loaded(
    { h: `function handler(e) { (0, eval)(e.src); return 0; }` },
    (b) => b.setConsole(({ level, message }) => current.push([STREAM[level], `${message}\n`])),
  );
  for (const src of CONSOLE) {
    blocks.push((current = []));
    await sandbox.callHandler('h', { src });
  }
  return blocks;
}


// Intl for en-US, the sandbox's one locale, in UTC, its one time zone: the
// same expressions in Node (told timeZone 'UTC') and in a sandbox.
const INTL = [
  '(1234567.891).toLocaleString()', '(1234567.891).toLocaleString("en-US")', '(-0).toLocaleString()', '12345678901234567890n.toLocaleString()',
  '[0, 1.005, 2.5, -2.5, 0.1 + 0.2, 1e21, 123.456e-10, -1234.5].map((x) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }).format(x))',
  '[NaN, Infinity, -Infinity].map((x) => new Intl.NumberFormat().format(x))',
  'new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(-1234.5)',
  '["EUR", "GBP", "JPY", "CAD", "CHF", "SEK"].map((currency) => new Intl.NumberFormat("en-US", { style: "currency", currency }).format(1234.567))',
  'new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 1 }).format(0.12345)',
  'new Intl.NumberFormat("en-US", { minimumIntegerDigits: 3, minimumFractionDigits: 2, useGrouping: false }).format(12345.6)',
  'new Intl.NumberFormat("en-US", { signDisplay: "always" }).format(5)',
  'new Intl.NumberFormat("en-US", { maximumFractionDigits: 101 })',
  'new Intl.NumberFormat("en-US", { style: "currency" })',
  'new Intl.NumberFormat().resolvedOptions().locale',
  '["b", "a", "ä", "Z", "z", "A", "résumé", "resume", "Resume"].sort(new Intl.Collator("en").compare)',
  '["a10", "a2", "a1"].sort(new Intl.Collator("en", { numeric: true }).compare)',
  '["base", "accent", "case", "variant"].map((sensitivity) => [["a", "A"], ["a", "á"], ["a", "b"]].map(([x, y]) => new Intl.Collator("en", { sensitivity }).compare(x, y)))',
  '["b", "a", "ä", "Z"].sort((x, y) => x.localeCompare(y))',
  '"a".localeCompare("A", undefined, { sensitivity: "base" })',
  'new Date(0).toLocaleString("en-US", { timeZone: "UTC" })',
  'new Date(1700000000123).toLocaleDateString("en-US", { timeZone: "UTC" })',
  'new Date(1700000000123).toLocaleTimeString("en-US", { timeZone: "UTC" })',
  '["full", "long", "medium", "short"].map((dateStyle) => new Intl.DateTimeFormat("en-US", { dateStyle, timeStyle: dateStyle, timeZone: "UTC" }).format(new Date(1700000000123)))',
  'new Intl.DateTimeFormat("en-US", { weekday: "long", year: "numeric", month: "long", day: "numeric", timeZone: "UTC" }).format(new Date(951782400000))',
  'new Intl.DateTimeFormat("en-US", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "UTC" }).format(new Date(43200000))',
  'new Intl.DateTimeFormat("en-US", { timeZone: "UTC" }).format(new Date(NaN))',
  'new Intl.DateTimeFormat("en-US", { timeZone: "UTC" }).resolvedOptions().timeZone',
];

/** The expression's value in Node (each one that formats a date names UTC). */
function nodeIntl(expr) {
  try {
    return JSON.stringify(new Function(`return (${expr});`)());
  } catch (e) {
    return JSON.stringify(['throws', e.name, e.message]);
  }
}

test(`Intl (en-US, UTC) gives what Node gives (${BACKEND})`, async () => {
  const sandbox = await loaded({
    h: `function handler(e) {
      return e.exprs.map((expr) => {
        try { return JSON.stringify((0, eval)('(' + expr + ')')); } catch (err) { return JSON.stringify(['throws', err.name, err.message]); }
      });
    }`,
  });
  const got = await sandbox.callHandler('h', { exprs: INTL });
  INTL.forEach((expr, i) => assert.equal(got[i], nodeIntl(expr), expr));
  // The one time zone: another is refused, saying so.
  const [other] = await sandbox.callHandler('h', { exprs: ['new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York" })'] });
  const [, name, message] = JSON.parse(other);
  assert.equal(name, 'RangeError');
  assert.match(message, /UTC/);
});

test(`console: every level formats as Node's console does, on the same stream (${BACKEND})`, async () => {
  const want = nodeConsole().map((block) => block.map(([stream, text]) => [stream, asCurrentNode(text)]));
  const got = await sandboxConsole();
  for (let i = 0; i < CONSOLE.length; i++) {
    assert.deepEqual(got[i], want[i], `snippet: ${CONSOLE[i]}`);
  }
});

test(`console.trace gives "Trace: " and the guest's stack, at level trace (${BACKEND})`, async () => {
  const entries = [];
  const sandbox = await loaded(
    { h: 'function inner() { console.trace("here %d", 5); } function handler() { inner(); return 0; }' },
    (b) => b.setConsole((entry) => entries.push(entry)),
  );
  await sandbox.callHandler('h', {});
  assert.equal(entries.length, 1, JSON.stringify(entries));
  assert.equal(entries[0].level, 'trace');
  const lines = entries[0].message.split('\n');
  assert.equal(lines[0], 'Trace: here 5');
  assert.match(lines[1], /^ {4}at inner \(\/h\.js:1:\d+\)$/);
  assert.ok(lines.some((l) => /^ {4}at handler /.test(l)), entries[0].message);
});

// ---- randomness -----------------------------------------------------------

const RANDOM = `function handler() {
  const bytes = Array.from(crypto.getRandomValues(new Uint8Array(16)));
  return { math: [Math.random(), Math.random(), Math.random()], bytes, uuid: crypto.randomUUID() };
}`;

const key = (r) => JSON.stringify(r);

test(`every sandbox has its own randomness (${BACKEND})`, async () => {
  const n = BACKEND === 'process' ? 6 : 3;
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    const sb = await loaded({ random: RANDOM });
    const r = await sb.callHandler('random', {});
    for (const part of [r.math, r.bytes, r.uuid]) {
      assert.ok(!seen.has(key(part)), `sandbox ${i} repeated ${key(part)}`);
      seen.add(key(part));
    }
  }
});

test(`restore(snapshot) does not replay the snapshot's random numbers (${BACKEND})`, async () => {
  const sb = await loaded({ random: RANDOM });
  const snapshot = await sb.snapshot();
  const seen = new Set();
  for (let i = 0; i < 3; i++) {
    await sb.restore(snapshot);
    const r = await sb.callHandler('random', {});
    assert.ok(!seen.has(key(r.math)), `restore ${i} replayed Math.random: ${key(r.math)}`);
    assert.ok(!seen.has(key(r.bytes)), `restore ${i} replayed getRandomValues: ${key(r.bytes)}`);
    seen.add(key(r.math)).add(key(r.bytes));
  }
});

test(`a pool that resets after each call gives each call fresh randomness (${BACKEND})`, async () => {
  const pool = new SandboxPool({ handlers: { random: RANDOM }, min: 1, max: 1, resetAfterEachCall: true });
  try {
    const seen = new Set();
    for (let i = 0; i < 4; i++) {
      const r = await pool.callHandler('random', {}, { wallClockTimeoutMs: 30_000 * SLOW });
      assert.ok(!seen.has(key(r.math)) && !seen.has(r.uuid), `call ${i} replayed ${key(r)}`);
      seen.add(key(r.math)).add(r.uuid);
    }
  } finally {
    await pool.close();
  }
});

test(`crypto.getRandomValues looks uniformly random (${BACKEND})`, async () => {
  const sb = await loaded({
    bytes: 'function handler() { return Array.from(crypto.getRandomValues(new Uint8Array(65536))); }',
  });
  const bytes = await sb.callHandler('bytes', {});
  assert.equal(bytes.length, 65536);
  // Each byte value 256 times on average: chi-square with 255 degrees of
  // freedom is below 340 with probability 0.9997 for a uniform source.
  const counts = new Array(256).fill(0);
  let ones = 0;
  for (const b of bytes) {
    counts[b]++;
    for (let x = b; x; x >>= 1) ones += x & 1;
  }
  const chi = counts.reduce((s, c) => s + (c - 256) ** 2 / 256, 0);
  assert.ok(chi < 340, `chi-square ${chi.toFixed(1)} over 255 degrees of freedom`);
  // Half the bits set, within 5 standard deviations (362 of 524288).
  assert.ok(Math.abs(ones - 262144) < 5 * 362, `${ones} of 524288 bits set`);
});
