/**
 * @module web/dom
 * Builds elements without HTML strings (so nothing from the API is ever parsed as markup), and small helpers
 * for dates and durations in words.
 */

/**
 * One element: attributes (`on*` functions become listeners; `false`/`null` are left out) and children.
 * @example h('button', { type: 'button', onclick: go }, 'Go')
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

/** A date and time in the reader's locale, e.g. "6 Dec 2026, 23:40". */
export function when(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** A `<time>` element for an ISO time. */
export function timeElement(iso) {
  return h('time', { datetime: iso }, when(iso));
}

/** A number of seconds in words, e.g. 86400 → "1 day". */
export function duration(seconds) {
  const units = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (seconds >= size && seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/** How far ahead a time is, in words: "in 5 days", "in 3 hours", "in less than an hour". */
export function fromNow(iso, now = Date.now()) {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (seconds < 3_600) return 'in less than an hour';
  const [size, unit] = seconds >= 86_400 * 2 ? [86_400, 'day'] : [3_600, 'hour'];
  const n = Math.floor(seconds / size);
  return `in ${n} ${unit}${n === 1 ? '' : 's'}`;
}
