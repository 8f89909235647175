// Reference data the pages share, fetched once per session: skills,
// certificate types, Yunnan's counties, provinces and the caller's sites.
import * as api from './api.js';
import { getLang } from './i18n.js';

const cache = new Map();

function once(key, load) {
  if (!cache.has(key)) {
    const p = load().catch((e) => {
      cache.delete(key);
      throw e;
    });
    cache.set(key, p);
  }
  return cache.get(key);
}

export function forget() {
  cache.clear();
}

export function skills() {
  return once('skills', () => api.get('/v1/skills').then((d) => d.items));
}

export function certificateTypes() {
  return once('certs', () => api.get('/v1/certificate-types').then((d) => d.items));
}

export function counties() {
  return once('counties', () => api.get('/v1/regions', { level: 'county' }).then((d) => d.items));
}

export function provinces() {
  return once('provinces', () => api.get('/v1/provinces').then((d) => d.items));
}

// The sites the caller can see (every page of them)
export function sites() {
  return once('sites', async () => {
    const out = [];
    let cursor = null;
    do {
      const page = await api.get('/v1/sites', { limit: 200, sort: 'name', cursor });
      out.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor && out.length < 2000);
    return out;
  });
}

// Counties that have sites the caller can see, [[code, name]...]
export async function siteCounties() {
  const list = await sites();
  const seen = new Map();
  for (const st of list) if (!seen.has(st.county_code)) seen.set(st.county_code, st.county_name);
  return [...seen.entries()].sort((a, b) => a[0] - b[0]);
}

export function nameOf(item) {
  if (!item) return '';
  const en = getLang() === 'en';
  return (en ? item.name_en : item.name_zh) || item.name_zh || item.name || item.code || '';
}

export async function countyOptions() {
  const list = await counties();
  return list.map((c) => [c.code, `${c.name}（${c.code}）`]);
}
