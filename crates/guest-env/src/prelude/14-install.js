  // ------------------------------------------------------------------ install
  for (const C of [DOMException, TextEncoder, TextDecoder, Event, CustomEvent, EventTarget, AbortSignal, AbortController,
    SubtleCrypto, Crypto, URLSearchParams, URL]) tagClass(C, C.name);
  tagClass(URLSearchParamsIterator, 'URLSearchParams Iterator');
  const globals = { console: consoleObject, DOMException, structuredClone, TextEncoder, TextDecoder, Event, EventTarget, CustomEvent,
    AbortController, AbortSignal, crypto: new Crypto(illegal), URL, URLSearchParams };
  for (const name of objectKeys(globals)) install(name, globals[name]);
  for (const name of objectKeys(timerGlobals)) install(name, timerGlobals[name]);
})
