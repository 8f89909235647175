// Talking to leye-server.  The session token lives only in this module's
// variable: never in storage, cookies, the URL or history.
//
// When the server or the network fails, requests are retried by themselves
// (the page shows a friendly notice meanwhile) until they get through or the
// session is forgotten; an answer that arrives after forget() is dropped.

let token = null;
let generation = 0;
let lastRequest = 0;
const inflight = new Set();
const waiting = new Set();
let handlers = { retrying() {}, recovered() {}, sessionOver() {} };

const TIMEOUT_MS = 10000;

export class ApiError extends Error {
  constructor(status, problem) {
    super(`HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || '';
    this.fieldCode = (this.problem.errors && this.problem.errors[0] && this.problem.errors[0].code) || '';
  }
}

// Thrown to callers whose request was overtaken by a logout or session end.
export class Cancelled extends Error {}

export function setHandlers(h) { handlers = { ...handlers, ...h }; }
export function hasSession() { return token !== null; }
export function secondsSinceRequest() { return (Date.now() - lastRequest) / 1000; }

// Wakes every request waiting to retry.
export function retryNow() {
  for (const wake of [...waiting]) wake();
}

function pause(ms, gen) {
  return new Promise((resolve) => {
    const wake = () => { clearTimeout(timer); waiting.delete(wake); resolve(); };
    const timer = setTimeout(wake, ms);
    waiting.add(wake);
    if (gen !== generation) wake();
  });
}

// An idempotency key: random, from the browser's generator (which, unlike
// crypto.randomUUID, also works on a kiosk reached over plain http).
export function newKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

async function once(method, path, opts, gen) {
  const ctl = new AbortController();
  inflight.add(ctl);
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  const headers = { Accept: 'application/json' };
  if (opts.auth !== false && token) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  if (opts.lang) headers['Accept-Language'] = opts.lang;
  if (opts.ifMatch) headers['If-Match'] = opts.ifMatch;
  try {
    const res = await fetch(path, {
      method, headers, cache: 'no-store', credentials: 'omit', signal: ctl.signal,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    let data = null;
    const type = res.headers.get('Content-Type') || '';
    if (res.status !== 204 && /json/.test(type)) {
      try { data = await res.json(); } catch { data = null; }
    }
    if (gen !== generation) throw new Cancelled();
    lastRequest = Date.now();
    return { status: res.status, data, transient: res.status >= 500 || res.status === 408 };
  } catch (e) {
    if (e instanceof Cancelled || gen !== generation) throw new Cancelled();
    return { status: 0, data: null, transient: true };
  } finally {
    clearTimeout(timer);
    inflight.delete(ctl);
  }
}

// Sends a request; resolves with the JSON answer (null for 204).  4xx answers
// reject with ApiError; 401 also ends the session.  Failures of the server or
// the network are retried (with a growing pause) unless opts.retry is false.
export async function call(method, path, opts = {}) {
  const gen = generation;
  let delay = 1000;
  let announced = false;
  for (let attempt = 1; ; attempt += 1) {
    const r = await once(method, path, opts, gen);
    // an internal error that persists is not an outage: give up after a few tries
    const retry = r.transient && opts.retry !== false && !(r.status === 500 && attempt >= 3);
    if (!retry) {
      if (announced) handlers.recovered();
      if (r.status >= 200 && r.status < 300) return r.data;
      if (r.status === 401 && opts.auth !== false) {
        forget();
        handlers.sessionOver();
        throw new Cancelled();
      }
      throw new ApiError(r.status || 503, r.data);
    }
    if (!announced) { handlers.retrying(); announced = true; }
    await pause(delay, gen);
    if (gen !== generation) throw new Cancelled();
    delay = Math.min(delay * 2, 5000);
  }
}

// Logs in; resolves with the login answer or rejects with ApiError.
export async function login(idNumber, pin, lang) {
  const data = await call('POST', '/v1/kiosk/login',
    { auth: false, body: { id_number: idNumber, pin }, lang });
  token = data.token;
  return data;
}

// Forgets the session at once: the token, every request under way.
export function forget() {
  token = null;
  generation += 1;
  for (const ctl of [...inflight]) ctl.abort();
  retryNow();
}

// Ends the session on the server (best effort, not waited for) and forgets it.
export function logout() {
  const t = token;
  forget();
  if (t) {
    fetch('/v1/kiosk/logout', {
      method: 'POST', headers: { Authorization: `Bearer ${t}` }, keepalive: true,
      cache: 'no-store', credentials: 'omit',
    }).catch(() => {});
  }
}
