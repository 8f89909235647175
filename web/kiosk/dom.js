// Small DOM helpers.  Text always goes in as text nodes (never as HTML), so
// names and titles from the database cannot inject markup.

const SVG = 'http://www.w3.org/2000/svg';

// h('div', {class: 'x', data: {id: 3}, onclick: fn, attrs: {...}}, child, ...)
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) el.dataset[dk] = String(dv);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// The sprite icons.svg is read once into the page, so icons keep showing
// while the server is unreachable.  Resolves when it is in (retrying until
// it is).
export async function loadIcons(holder) {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      const res = await fetch('icons.svg', { cache: 'no-store', credentials: 'omit' });
      if (res.ok) {
        const doc = new DOMParser().parseFromString(await res.text(), 'image/svg+xml');
        const svg = doc.documentElement;
        if (svg && svg.nodeName === 'svg') {
          holder.replaceChildren(document.importNode(svg, true));
          return;
        }
      }
    } catch {
      // the server is not reachable yet: try again
    }
    await new Promise((resolve) => { setTimeout(resolve, wait); });
  }
}

// An icon from the sprite, hidden from screen readers (a word always stands
// beside it).
export function icon(name, cls) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', cls ? `icon ${cls}` : 'icon');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const use = document.createElementNS(SVG, 'use');
  use.setAttribute('href', `#${name}`);
  svg.appendChild(use);
  return svg;
}

// A big button with an icon beside its word.
export function button(label, iconName, onclick, cls, data) {
  return h('button', { type: 'button', class: cls ? `btn ${cls}` : 'btn', onclick, data },
    iconName ? icon(iconName) : null, h('span', { class: 'btn-label' }, label));
}
