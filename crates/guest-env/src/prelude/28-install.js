  // ------------------------------------------------------------------ install
  for (const C of [DOMException, TextEncoder, TextDecoder, Event, CustomEvent, EventTarget, AbortSignal, AbortController,
    SubtleCrypto, Crypto, URLSearchParams, URL, Headers, Blob, File, ReadableStream, ReadableStreamDefaultReader,
    ReadableStreamDefaultController, Request, Response]) tagClass(C, C.name);
  tagClass(URLSearchParamsIterator, 'URLSearchParams Iterator');
  tagClass(HeadersIterator, 'Headers Iterator');
  tagClass(ReadableStreamAsyncIterator, 'ReadableStream AsyncIterator');
  const globals = { console: consoleObject, DOMException, structuredClone, TextEncoder, TextDecoder, Event, EventTarget, CustomEvent,
    AbortController, AbortSignal, crypto: new Crypto(illegal), URL, URLSearchParams,
    atob, btoa, Headers, Blob, File, ReadableStream, Request, Response, fetch, Intl: intlNamespace };
  for (const name of objectKeys(globals)) install(name, globals[name]);
  for (const name of objectKeys(timerGlobals)) install(name, timerGlobals[name]);
})
