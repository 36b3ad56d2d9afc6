/**
 * @module web/usage
 * A service's usage in its card (services with a key only): hits per hour over the last day, or per day over
 * the last week or month, with a switch between the three (`GET /api/services/{id}/usage?period=…`), and one
 * bar per limit of the plan with used / max and when it resets. The chart is inline SVG built with the DOM
 * (geometry attributes and CSS classes, no inline style, so the page's `style-src 'self'` holds); it is hidden
 * from screen readers, which read a table of the same numbers instead. An API error is shown in the card in
 * words, with what to do and the request id.
 */
import { h, replace, when } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

/** The periods offered, in the order of the switch. */
export const USAGE_PERIODS = [
  ['day', '24 hours'],
  ['week', '7 days'],
  ['month', '30 days'],
];
const DEFAULT_PERIOD = 'week';
const SPAN = {
  day: 'over the last 24 hours, by hour (UTC)',
  week: 'over the last 7 days, by day (UTC)',
  month: 'over the last 30 days, by day (UTC)',
};
/** How long a report is reused when the list is drawn again (search, filter) before it is asked again. */
const FRESH_MS = 30_000;

/** Reports by `serviceId period` (so typing in the search box does not call the API per card per key). */
const cache = new Map();
/** The period each service shows, kept while the list is drawn again. */
const chosen = new Map();

/** Forgets every report (after a key changes): the next drawing asks the API again. */
export function forgetUsage() {
  cache.clear();
}

function fetchUsage(api, serviceId, period, fresh) {
  const id = `${serviceId} ${period}`;
  const hit = cache.get(id);
  if (!fresh && hit !== undefined && Date.now() - hit.at < FRESH_MS) return hit.promise;
  const promise = api.usage(serviceId, period);
  cache.set(id, { at: Date.now(), promise });
  promise.catch(() => cache.delete(id));
  return promise;
}

const count = (n) => n.toLocaleString();
const calls = (n) => `${count(n)} call${n === 1 ? '' : 's'}`;

/** An interval's label, in UTC as it was counted: "10:00" for an hour, "7 Dec" for a day. */
function intervalLabel(start, granularity) {
  const date = new Date(start);
  return granularity === 'hour'
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })
    : date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

/** The bars: one per interval, scaled to the busiest; the SVG stretches to the card's width. */
function chart(data) {
  const peak = Math.max(0, ...data.intervals.map((i) => i.hits));
  const n = data.intervals.length;
  const bars = data.intervals.map((interval, i) => {
    const height = peak === 0 || interval.hits === 0 ? 0 : Math.max(2, (interval.hits / peak) * 100);
    const title = svg('title');
    title.textContent = `${intervalLabel(interval.start, data.granularity)}: ${calls(interval.hits)}`;
    return svg('rect', { x: i * 10 + 1, y: 100 - height, width: 8, height, class: 'usage-bar' }, title);
  });
  const first = data.intervals[0];
  const last = data.intervals.at(-1);
  return h(
    'div',
    { class: 'usage-chart' },
    h('p', { class: 'usage-peak muted', 'aria-hidden': 'true' }, `peak ${count(peak)}`),
    svg(
      'svg',
      {
        viewBox: `0 0 ${Math.max(1, n) * 10} 100`,
        preserveAspectRatio: 'none',
        'aria-hidden': 'true',
        focusable: 'false',
      },
      ...bars,
    ),
    first !== undefined
      ? h(
          'p',
          { class: 'usage-axis muted', 'aria-hidden': 'true' },
          h('span', {}, intervalLabel(first.start, data.granularity)),
          h('span', {}, intervalLabel(last.start, data.granularity)),
        )
      : null,
  );
}

/** The same numbers as the chart, for screen readers. */
function table(data, serviceName) {
  // The hiding class goes on a wrapper: a table is never narrower than its content, whatever its width.
  return h(
    'div',
    { class: 'visually-hidden' },
    h(
      'table',
      { class: 'usage-table' },
      h('caption', {}, `Calls to ${serviceName} ${SPAN[data.period]}: ${calls(data.total ?? 0)} in all`),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, data.granularity === 'hour' ? 'Hour' : 'Day'),
          h('th', { scope: 'col' }, 'Calls'),
        ),
      ),
      h(
        'tbody',
        {},
        data.intervals.map((interval) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, intervalLabel(interval.start, data.granularity)),
            h('td', {}, count(interval.hits)),
          ),
        ),
      ),
    ),
  );
}

function limitName(limit) {
  const what = limit.metric === 'hits' ? 'Calls' : limit.metric;
  return limit.period === 'eternity' ? `${what} in all` : `${what} per ${limit.period}`;
}

/** One limit: its name, a bar of used / max (coloured as it fills), the numbers and the reset, in words. */
function limitRow(limit) {
  const reset = limit.resets_at === null ? 'never resets' : `resets ${when(limit.resets_at)}`;
  if (limit.used === null) {
    return h(
      'li',
      { class: 'limit unknown' },
      h('span', { class: 'limit-name' }, limitName(limit)),
      h('span', { class: 'limit-numbers' }, `usage unavailable / ${count(limit.max)}`),
      h('span', { class: 'limit-reset muted' }, reset),
    );
  }
  const share = limit.max === 0 ? 1 : Math.min(1, limit.used / limit.max);
  const level = share >= 1 ? 'full' : share >= 0.8 ? 'high' : 'ok';
  const filled = limit.used === 0 ? 0 : Math.max(1, share * 100);
  return h(
    'li',
    { class: `limit ${level}` },
    h('span', { class: 'limit-name' }, limitName(limit)),
    svg(
      'svg',
      {
        class: 'limit-bar',
        viewBox: '0 0 100 4',
        preserveAspectRatio: 'none',
        'aria-hidden': 'true',
        focusable: 'false',
      },
      svg('rect', { class: 'limit-track', x: 0, y: 0, width: 100, height: 4 }),
      svg('rect', { class: 'limit-fill', x: 0, y: 0, width: filled, height: 4 }),
    ),
    h(
      'span',
      { class: 'limit-numbers' },
      `${count(limit.used)} / ${count(limit.max)} used`,
      level === 'full' ? ' — reached' : '',
    ),
    h('span', { class: 'limit-reset muted' }, reset),
  );
}

function report(data, serviceName) {
  const total = data.usage_available
    ? h(
        'p',
        { class: 'usage-total' },
        `${calls(data.total ?? 0)} ${SPAN[data.period]}`,
        h('span', { class: 'muted' }, ` · plan ${data.plan.name}`),
      )
    : h(
        'p',
        { class: 'usage-total' },
        'Usage unavailable right now: the API manager did not report it. Try again shortly.',
      );
  return [
    total,
    data.usage_available ? chart(data) : null,
    data.usage_available ? table(data, serviceName) : null,
    h('h4', {}, 'Limits'),
    data.limits.length === 0
      ? h('p', { class: 'muted' }, 'No limits on this plan.')
      : h('ul', { class: 'limits' }, data.limits.map(limitRow)),
  ];
}

function failure(error) {
  if (error?.advice === undefined) {
    console.error(error);
    return h('div', { class: 'alert' }, h('p', { class: 'alert-title' }, 'The usage could not be shown.'));
  }
  return h(
    'div',
    { class: 'alert' },
    h('p', { class: 'alert-title' }, error.message),
    h('p', {}, error.advice),
    error.requestId ? h('p', { class: 'muted' }, `Request id: ${error.requestId}`) : null,
  );
}

/**
 * The usage element of one service's card, or null when there is nothing to show (no key). It is returned
 * at once and fills itself when the API answers.
 * @param {object} service a service of `GET /api/services`
 * @param {object} api the page's API client ({@link createApi})
 * @returns {Promise<Element | null>}
 */
export async function renderUsage(service, api) {
  if (!service.has_api_key) return null;
  const titleId = `usage-${service.id}`;
  const body = h('div', { class: 'usage-body' });
  let asked = 0;
  const show = async (fresh = false) => {
    const period = chosen.get(service.id) ?? DEFAULT_PERIOD;
    for (const button of switcher.querySelectorAll('button[data-period]'))
      button.setAttribute('aria-pressed', String(button.dataset.period === period));
    const mine = ++asked;
    body.setAttribute('aria-busy', 'true');
    if (body.childElementCount === 0) replace(body, h('p', { class: 'muted' }, 'Loading usage…'));
    let content;
    try {
      content = report(await fetchUsage(api, service.id, period, fresh), service.name);
    } catch (error) {
      content = failure(error);
    }
    if (mine !== asked) return; // a later choice is on its way
    replace(body, content);
    body.removeAttribute('aria-busy');
  };
  const switcher = h(
    'div',
    { class: 'usage-switch', role: 'group', 'aria-label': `Usage period for ${service.name}` },
    USAGE_PERIODS.map(([period, label]) =>
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'data-period': period,
          onclick: () => {
            chosen.set(service.id, period);
            show();
          },
        },
        label,
      ),
    ),
    h(
      'button',
      { type: 'button', class: 'secondary', onclick: () => show(true) },
      'Refresh',
      h('span', { class: 'visually-hidden' }, ` usage of ${service.name}`),
    ),
  );
  show();
  return h(
    'section',
    { class: 'usage-view', 'aria-labelledby': titleId },
    h('h3', { id: titleId }, 'Usage'),
    switcher,
    body,
  );
}
