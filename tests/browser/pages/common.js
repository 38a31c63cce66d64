// Helpers shared by the test pages: float32 arrays <-> base64 (Playwright moves strings cheaply).

export function f32ToB64(a) {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function b64ToF32(b64) {
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/** Publish the page's verdict for Playwright: window.verdict = {ok, ...} or {ok: false, error}. */
export function expose(name, fn) {
  window[name] = async (...args) => {
    try {
      return { ok: true, ...(await fn(...args)) };
    } catch (e) {
      return { ok: false, error: String(e && e.stack ? e.stack : e) };
    }
  };
  window.pageReady = true;
}
