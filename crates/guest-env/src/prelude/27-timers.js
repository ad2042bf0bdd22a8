  // ------------------------------------------------------------------ timers
  // Timers run inside a call. While the handler's promise is pending the
  // runtime keeps running QuickJS's job queue, so one job (`pump`) stays
  // queued while any timer is pending: it yields while other jobs are queued
  // (promise reactions run between timers, as in Node), runs the timer due
  // first, or, with nothing due and nothing else to run, sleeps in slices of
  // at most 10 ms (native.sleep: so a kill or a timeout lands) and queues
  // itself again. Timers belong to the call (or load) that made them: once it
  // ends (native.callId() changes) its pending timers never fire. Delays,
  // ordering and the Timeout/Immediate objects follow Node's.
  const TIMEOUT_MAX = 2 ** 31 - 1;
  const pending = new Map(); // id -> Timeout or Immediate
  let timerIds = 0;
  let pumpQueued = false;
  let timersCall = -1; // the call the pending timers belong to
  let loopNow = 0; // Node computes due times from the loop's time, not the clock's
  const jobs = Promise.resolve();
  const currentCall = () => {
    const call = native.callId();
    if (call !== timersCall) {
      pending.clear();
      timersCall = call;
      loopNow = now();
      native.timersUsed();
    }
  };
  function pump() {
    pumpQueued = false;
    if (native.callId() !== timersCall) pending.clear();
    if (pending.size === 0) return;
    if (!native.jobsPending()) {
      loopNow = now();
      let next = null;
      for (const t of pending.values()) {
        if (next === null || t._due < next._due || (t._due === next._due && t._seq < next._seq)) next = t;
      }
      const wait = next._due - loopNow;
      if (wait <= 0) {
        if (next._repeat === null) pending.delete(next._id);
        else { next._due = loopNow + next._repeat; next._seq = ++timerIds; }
        try {
          next._callback(...next._args);
        } catch (err) {
          reportError(err);
        }
      } else {
        native.sleep(wait);
      }
    }
    queuePump();
  }
  const queuePump = () => {
    if (pumpQueued || pending.size === 0) return;
    pumpQueued = true;
    jobs.then(pump);
  };
  const validDelay = (after) => {
    after *= 1; // as Node: a delay that is not a number from 1 to 2^31-1 is 1
    return after >= 1 && after <= TIMEOUT_MAX ? after : 1;
  };
  function schedule(callback, after, args, repeat) {
    if (typeof callback !== 'function') throw invalidArgType('callback', 'of type function', callback);
    currentCall();
    const delay = after === null ? -1 : validDelay(after);
    const t = after === null ? new Immediate(illegal) : new Timeout(illegal);
    Object.assign(t, { _id: ++timerIds, _seq: timerIds, _due: loopNow + delay, _delay: delay, _callback: callback, _args: args, _repeat: repeat ? delay : null });
    pending.set(t._id, t);
    queuePump();
    return t;
  }
  const unschedule = (t) => {
    if (t === null || t === undefined) return;
    const id = typeof t === 'object' ? t._id : +t;
    if (typeof id === 'number') pending.delete(id);
  };
  class Timeout {
    constructor(token) { if (token !== illegal) throw illegalConstructor(); this._ref = true; }
    ref() { this._ref = true; return this; }
    unref() { this._ref = false; return this; }
    hasRef() { return this._ref; }
    refresh() {
      if (pending.get(this._id) === this) Object.assign(this, { _due: now() + this._delay, _seq: ++timerIds });
      return this;
    }
    close() { unschedule(this); return this; }
    [Symbol.toPrimitive]() { return this._id; }
  }
  class Immediate {
    constructor(token) { if (token !== illegal) throw illegalConstructor(); this._ref = true; }
    ref() { this._ref = true; return this; }
    unref() { this._ref = false; return this; }
    hasRef() { return this._ref; }
  }
  const timerGlobals = {
    setTimeout: function setTimeout(callback, after, ...args) { return schedule(callback, after, args, false); },
    setInterval: function setInterval(callback, repeat, ...args) { return schedule(callback, repeat, args, true); },
    setImmediate: function setImmediate(callback, ...args) { return schedule(callback, null, args, false); },
    clearTimeout: function clearTimeout(timer) { unschedule(timer); },
    clearInterval: function clearInterval(timer) { unschedule(timer); },
    clearImmediate: function clearImmediate(immediate) { unschedule(immediate); },
  };
