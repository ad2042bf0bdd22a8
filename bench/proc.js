// What /proc says of this process and its children, for the benches.
'use strict';

const fs = require('node:fs');

/** Resident memory of `pid` (default: this process), in bytes. */
function rssBytes(pid = 'self') {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Proportional memory of `pid`: its shared pages split among their sharers. */
function pssBytes(pid) {
  const m = /Pss:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** This process's children (the process backend's guests, among others). */
function childPids() {
  const pids = new Set();
  for (const t of fs.readdirSync('/proc/self/task')) {
    let children;
    try {
      children = fs.readFileSync(`/proc/self/task/${t}/children`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    for (const p of children.split(' ').filter(Boolean)) pids.add(Number(p));
  }
  return pids;
}

module.exports = { rssBytes, pssBytes, childPids };
