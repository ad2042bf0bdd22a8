// What bench/run.js measures with, shared with the subjects it measures
// (bench/subjects.js): the handler every subject runs, clocks, quantiles, a
// timed loop, the CPU a call used, resident memory per item.
'use strict';

const fs = require('node:fs');
const { rssBytes, childPids } = require('./proc');

const HANDLER = 'function handler(e) { return { ...e, x: 1 }; }';
const SPIN = 'function handler() { for (;;) {} }';



const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
const median = (xs) => quantile(xs, 0.5);

async function timeEach(n, fn) {
  const cpu = cpuNow();
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = now();
    await fn(i);
    out.push(now() - t);
  }
  cpuSince(cpu, n);
  return out;
}

/**
 * CPU time used so far, in µs: by this process (all its threads) and by its
 * child processes (the process backend's guests), from the scheduler's own
 * nanosecond accounting.
 */
function cpuNow() {
  const { user, system } = process.cpuUsage();
  let guests = 0;
  for (const pid of childPids()) {
    try {
      for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
        guests += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]) / 1000;
      }
    } catch {} // it exited meanwhile
  }
  return { host: user + system, guests };
}

/** The CPU per call since `before`, kept for the operation being run (see run.js's main). */
let lastCpu = null;
function cpuSince(before, calls) {
  const after = cpuNow();
  lastCpu = { host: (after.host - before.host) / calls, guests: Math.max(0, after.guests - before.guests) / calls };
}

/** Average resident growth of this process per item while `count` items are alive. */
async function rssPerItem(count, make) {
  global.gc?.();
  const before = rssBytes();
  const keep = [];
  for (let i = 0; i < count; i++) keep.push(await make());
  global.gc?.();
  const per = (rssBytes() - before) / count;
  return { per, keep };
}

/** The CPU per call the last timed loop used, and forget it (null when none ran). */
function takeCpu() {
  const cpu = lastCpu;
  lastCpu = null;
  return cpu;
}

module.exports = { HANDLER, SPIN, now, quantile, median, timeEach, cpuNow, cpuSince, takeCpu, rssPerItem };
