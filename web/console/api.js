// The Leye API as the console uses it: the session token lives only in this
// tab's sessionStorage; every failure becomes an ApiError carrying the
// problem+json body (never shown raw: see ui.js problemView).
import { getLang } from './i18n.js';

const TOKEN_KEY = 'leye.console.token';
let sessionLost = () => {};

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function onSessionLost(fn) {
  sessionLost = fn;
}

export class ApiError extends Error {
  constructor(status, problem, headers) {
    super((problem && problem.title) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
    this.retryAfter = headers ? headers.get('Retry-After') : null;
  }
  get code() {
    return this.problem.code || (this.status === 0 ? 'network' : '');
  }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

function headersFor(extra) {
  const h = { Accept: 'application/json', 'Accept-Language': getLang() === 'en' ? 'en' : 'zh-CN', ...extra };
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

// fetch with the session; resolves to the Response when it is 2xx
async function send(method, path, { body, headers, etag, idempotencyKey } = {}) {
  const h = headersFor(headers);
  let payload = body;
  if (body !== undefined && !(body instanceof Blob) && typeof body !== 'string') {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  if (etag) h['If-Match'] = etag;
  if (idempotencyKey) h['Idempotency-Key'] = idempotencyKey;
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new ApiError(0, { code: 'network' });
  }
  if (res.ok) return res;
  let problem = null;
  const ct = res.headers.get('Content-Type') || '';
  if (ct.includes('json')) {
    try {
      problem = await res.json();
    } catch (e) {
      problem = null;
    }
  }
  if (res.status === 401 && path !== '/v1/auth/login' && token()) {
    setToken(null);
    sessionLost();
  }
  throw new ApiError(res.status, problem, res.headers);
}

async function bodyOf(res) {
  if (res.status === 204) return null;
  const ct = res.headers.get('Content-Type') || '';
  return ct.includes('json') ? res.json() : res.text();
}

export async function get(path, params) {
  return bodyOf(await send('GET', path + query(params)));
}

// A record with its ETag, for a later PATCH with If-Match
export async function getRecord(path) {
  const res = await send('GET', path);
  return { data: await res.json(), etag: res.headers.get('ETag') };
}

export async function post(path, body, opts = {}) {
  return bodyOf(await send('POST', path, { body, ...opts }));
}

export async function put(path, body, opts = {}) {
  return bodyOf(await send('PUT', path, { body, ...opts }));
}

export async function patch(path, body, etag) {
  const res = await send('PATCH', path, { body, etag });
  return { data: await bodyOf(res), etag: res.headers.get('ETag') };
}

// A CSV upload; a 422 report (all or nothing) is returned, not thrown
export async function upload(path, file, params) {
  try {
    const res = await send('POST', path + query(params), { body: file, headers: { 'Content-Type': 'text/csv' } });
    return { ok: true, report: await res.json() };
  } catch (e) {
    if (e instanceof ApiError && e.status === 422 && e.problem && 'rows' in e.problem) return { ok: false, report: e.problem };
    throw e;
  }
}

// A file the API makes (CSV, printable HTML), fetched with the session
export async function fetchFile(path, params) {
  const res = await send('GET', path + query(params), { headers: { Accept: '*/*' } });
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename="([^"]+)"/.exec(cd);
  return { blob: await res.blob(), filename: m ? m[1] : null, type: res.headers.get('Content-Type') || '' };
}

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// Routes of the running server, from its OpenAPI document (public)
let routesPromise = null;
export function serverRoutes() {
  if (!routesPromise) {
    routesPromise = fetch('/openapi.json', { cache: 'no-store', credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : { paths: {} }))
      .then((d) => d.paths || {})
      .catch(() => ({}));
  }
  return routesPromise;
}

export async function hasRoute(method, pattern) {
  const paths = await serverRoutes();
  return Boolean(paths[pattern] && paths[pattern][method.toLowerCase()]);
}
