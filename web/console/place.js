// A vacancy's place: the street address, and a point chosen from the county
// seats and resettlement sites Leye knows or typed in as coordinates. No map
// tiles (nothing is fetched from other hosts); the distances from the point to
// the nearest sites (GET /v1/places/nearest) are shown as a check.
import * as api from './api.js';
import * as ref from './refdata.js';
import { t } from './i18n.js';
import { h, clear, field, input, numberInput } from './ui.js';

function coord(el) {
  const s = el.value.trim();
  return s === '' ? null : Number(s);
}

// placeField(v) -> { el, value() } where value() is { address, lat, lon }
// with lat and lon left out when not given (the server then uses the county's
// centre); v is the vacancy (or {} for a new one).
export async function placeField(v) {
  const [counties, sites] = await Promise.all([ref.counties().catch(() => []), ref.sites().catch(() => [])]);
  const address = input('address', v.address || '', { maxlength: 200, id: 'place-address', placeholder: t('place_address_hint') });
  const lat = numberInput('lat', v.lat ?? '', { min: 3, max: 54, step: 'any', inputmode: 'decimal', id: 'place-lat' });
  const lon = numberInput('lon', v.lon ?? '', { min: 73, max: 136, step: 'any', inputmode: 'decimal', id: 'place-lon' });
  const known = h('select', { id: 'place-pick', 'aria-label': t('place_pick') },
    h('option', { value: '' }, t('place_pick_none')),
    h('optgroup', { label: t('place_sites') }, sites.filter((s) => s.lat != null && s.lon != null)
      .map((s) => h('option', { value: `${s.lat},${s.lon}`, dataset: { name: s.name } }, `${s.name}（${s.county_name || s.county_code}）`))),
    h('optgroup', { label: t('place_counties') }, counties.map((c) =>
      h('option', { value: `${c.lat},${c.lon}`, dataset: { name: c.name } }, t('place_county_seat', { name: c.name })))));
  const check = h('div', { id: 'place-check', class: 'place-check', 'aria-live': 'polite' });
  known.addEventListener('change', () => {
    if (!known.value) return;
    const [a, b] = known.value.split(',');
    lat.value = a;
    lon.value = b;
    refresh();
  });
  let timer = null;
  let seq = 0;
  async function refresh() {
    const la = coord(lat);
    const lo = coord(lon);
    if (la === null || lo === null || Number.isNaN(la) || Number.isNaN(lo)) {
      clear(check, h('p', { class: 'muted' }, t('place_no_point')));
      return;
    }
    const mine = ++seq;
    try {
      const d = await api.get('/v1/places/nearest', { lat: la, lon: lo, limit: 3 });
      if (mine !== seq) return;
      const near = (d.sites || []).map((s) => h('li', null, t('place_km_to', { km: s.km, name: s.name })));
      const seat = (d.counties || [])[0];
      clear(check, h('p', null, t('place_check')),
        h('ul', { class: 'plain', id: 'place-nearest' }, near.length ? near : h('li', { class: 'muted' }, t('place_no_sites'))),
        seat ? h('p', { class: 'muted', id: 'place-seat' }, t('place_km_to', { km: seat.km, name: t('place_county_seat', { name: seat.name }) })) : null);
    } catch (err) {
      if (mine === seq) clear(check, h('p', { class: 'error' }, err.problem ? err.problem.title : String(err.message || err)));
    }
  }
  for (const el of [lat, lon]) el.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  refresh();
  const el = h('fieldset', { class: 'place wide', id: 'vacancy-place' }, h('legend', null, t('place_title')),
    field(t('place_address'), address),
    field(t('place_pick'), known, t('place_pick_hint')),
    h('div', { class: 'two-col' }, field(t('place_lat'), lat), field(t('place_lon'), lon)),
    check);
  return {
    el,
    value() {
      const out = { address: address.value.trim() };
      const la = coord(lat);
      const lo = coord(lon);
      if (la !== null && lo !== null) {
        out.lat = la;
        out.lon = lo;
      }
      return out;
    },
  };
}
