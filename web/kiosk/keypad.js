// The on-screen keypad: digits, X for ID numbers that end in it, delete and
// clear.  No physical keyboard is needed; one that is there works too.

import { h, icon } from './dom.js';
import { t } from './i18n.js';

// keypad({withX, onKey}) -> element; onKey gets '0'..'9', 'X', 'del' or 'clear'.
export function keypad({ withX, onKey }) {
  const key = (value, label, cls, iconName) => h('button', {
    type: 'button', class: `key ${cls || ''}`, data: { key: value },
    'aria-label': typeof label === 'string' ? label : value,
    onclick: () => onKey(value),
  }, iconName ? icon(iconName) : null, label);
  const digits = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => key(d, d, 'digit'));
  const left = withX ? key('X', 'X', 'digit') : key('clear', t('clear'), 'fn', 'clear');
  return h('div', { class: 'keypad', role: 'group' },
    digits, left, key('0', '0', 'digit'), key('del', t('delete'), 'fn', 'backspace'),
    withX ? key('clear', t('clear'), 'fn wide', 'clear') : null);
}

// Maps a physical key to a keypad key, or null.
export function keyFromEvent(e, withX) {
  if (/^[0-9]$/.test(e.key)) return e.key;
  if (withX && (e.key === 'x' || e.key === 'X')) return 'X';
  if (e.key === 'Backspace') return 'del';
  if (e.key === 'Escape') return 'clear';
  if (e.key === 'Enter') return 'enter';
  return null;
}
