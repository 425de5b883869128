// English and Spanish, one dictionary file each (i18n/en.js, i18n/es.js).
// The language comes from the browser unless the owner picked one.
import en from '../i18n/en.js';
import es from '../i18n/es.js';

export const LANGUAGES = { en: 'English', es: 'Español' };
const DICTIONARIES = { en, es };
const KEY = 'tucan.lang';
const listeners = new Set();

function initial() {
  const saved = localStorage.getItem(KEY);
  if (saved && DICTIONARIES[saved]) return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('es') ? 'es' : 'en';
}

let current = initial();
document.documentElement.lang = current;

export function lang() {
  return current;
}

export function setLang(next) {
  if (!DICTIONARIES[next] || next === current) return;
  current = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The text for a key in the current language ({name} filled from vars); English when missing, the key itself as a last resort. */
export function t(key, vars) {
  const text = DICTIONARIES[current][key] ?? en[key] ?? key;
  return vars ? text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m)) : text;
}
