/**
 * @module web/app
 * The self-service page: sign in, the services with their keys (search and filter), get a key (shown once in
 * full with a copy button), rotate with a chosen grace period and revoke after a confirmation that says what
 * will happen, each key's expiry and grace, its history, a runnable snippet per service, and the usage and
 * limits of each service with a key.
 */
import { ApiError, createApi } from './api.js';
import { createAuth, SignInError } from './auth.js';
import { duration, fromNow, h, replace, timeElement, when } from './dom.js';
import { renderSnippet, SNIPPET_LANGS, variableNames } from './snippet.js';
import { forgetUsage, renderUsage } from './usage.js';

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.getAttribute('content') ?? '';
const issuer = meta('mlaas-issuer');
/** Where snippets of OpenID Connect services get a token (the same URL the command-line tool writes). */
const TOKEN_ENDPOINT = `${issuer}/protocol/openid-connect/token`;
const view = document.getElementById('view');
const account = document.getElementById('account');
const alertBox = document.getElementById('alert');

/** Grace periods offered when rotating, in seconds. */
const GRACE_CHOICES = [
  [0, 'None: the old key stops at once'],
  [3_600, '1 hour'],
  [86_400, '1 day'],
  [604_800, '7 days'],
];
const DEFAULT_GRACE = 86_400;

const STATE_WORDS = {
  active: 'Active',
  grace: 'Replaced, still accepted',
  expired: 'Expired',
  pending: 'Waiting for approval',
  suspended: 'Suspended by an administrator',
  revoked: 'Revoked',
};

const EVENT_WORDS = {
  issued: 'Key issued',
  rotated: 'Key rotated',
  revoked: 'Key revoked',
  expired: 'Key expired',
  grace_ended: 'Old key stopped (grace ended)',
  suspended: 'Key suspended',
  resumed: 'Key resumed',
};

const auth = createAuth({
  issuer,
  clientId: meta('mlaas-client-id'),
  redirectUri: `${location.origin}/`,
  onChange: () => render(),
});
const api = createApi(auth);

/** What the page shows: the lists from the API, the query, and the key just revealed (once). */
const state = {
  services: [],
  keys: [],
  user: null,
  query: '',
  filter: 'all',
  revealed: null, // { serviceId, apiKey, appId, note }
};

function showError(error) {
  if (error instanceof ApiError) {
    replace(
      alertBox,
      h('p', { class: 'alert-title' }, error.message),
      h('p', {}, error.advice),
      error.requestId ? h('p', { class: 'muted' }, `Request id: ${error.requestId}`) : null,
    );
  } else if (error instanceof SignInError) {
    replace(alertBox, h('p', { class: 'alert-title' }, error.message));
  } else {
    replace(alertBox, h('p', { class: 'alert-title' }, 'Something went wrong on this page.'), h('p', {}, 'Reload it.'));
    console.error(error);
  }
  alertBox.hidden = false;
}

function clearError() {
  alertBox.hidden = true;
  alertBox.replaceChildren();
}

function announce(text) {
  const status = document.getElementById('status');
  if (status !== null) status.textContent = text;
}

/** Runs an action of the page: errors shown in words; signed out when the session is gone. */
async function act(action) {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error);
    if (!auth.signedIn) render();
  }
}

async function load() {
  const [services, keys] = await Promise.all([api.services(), api.keys()]);
  state.services = services.services;
  state.user = services.user;
  state.keys = keys.keys;
  forgetUsage();
}

function render() {
  renderAccount();
  if (!auth.signedIn) {
    replace(
      view,
      h(
        'section',
        { class: 'panel sign-in', 'aria-labelledby': 'sign-in-title' },
        h('h1', { id: 'sign-in-title' }, 'Your API keys for ML services'),
        h('p', {}, 'Sign in to see the services, get a key, rotate or revoke it, and copy a snippet that calls them.'),
        h('button', { type: 'button', class: 'primary', onclick: () => act(() => auth.signIn()) }, 'Sign in'),
      ),
    );
    return;
  }
  renderServices();
}

function renderAccount() {
  if (!auth.signedIn) {
    account.replaceChildren();
    return;
  }
  replace(
    account,
    h('span', { class: 'who' }, state.user?.soeid ?? auth.userName),
    h('button', { type: 'button', class: 'secondary', onclick: () => act(() => auth.signOut()) }, 'Sign out'),
  );
}

function keysOf(serviceId) {
  return state.keys.filter((key) => key.service_id === serviceId);
}

function visibleServices() {
  const query = state.query.trim().toLowerCase();
  return state.services.filter((service) => {
    if (state.filter === 'with' && !service.has_api_key) return false;
    if (state.filter === 'without' && service.has_api_key) return false;
    if (query === '') return true;
    return `${service.name} ${service.id} ${service.description}`.toLowerCase().includes(query);
  });
}

function renderServices() {
  const list = h('ul', { class: 'services', id: 'services' });
  const count = h('p', { class: 'muted', id: 'count', 'aria-live': 'polite' });
  const fill = () => {
    const shown = visibleServices();
    count.textContent = `${shown.length} of ${state.services.length} services`;
    replace(
      list,
      shown.map((service) => h('li', {}, serviceCard(service))),
    );
    if (shown.length === 0) list.append(h('li', { class: 'muted' }, 'No service matches.'));
  };
  const search = h('input', {
    type: 'search',
    id: 'search',
    value: state.query,
    autocomplete: 'off',
    oninput: (event) => {
      state.query = event.target.value;
      fill();
    },
  });
  const filter = h(
    'select',
    {
      id: 'filter',
      onchange: (event) => {
        state.filter = event.target.value;
        fill();
      },
    },
    [
      ['all', 'All services'],
      ['with', 'With a key'],
      ['without', 'Without a key'],
    ].map(([value, label]) => h('option', { value, selected: value === state.filter }, label)),
  );
  replace(
    view,
    h(
      'section',
      { 'aria-labelledby': 'services-title' },
      h('h1', { id: 'services-title' }, 'Services'),
      h('p', { id: 'status', role: 'status', class: 'visually-hidden' }),
      state.revealed !== null ? revealedKey() : null,
      h(
        'div',
        { class: 'tools', role: 'search' },
        h('div', { class: 'field' }, h('label', { for: 'search' }, 'Search services'), search),
        h('div', { class: 'field' }, h('label', { for: 'filter' }, 'Show'), filter),
      ),
      count,
      list,
      historySection(),
    ),
  );
  fill();
  document.body.dataset.ready = 'services';
  performance.mark('mlaas:services-ready');
}

function revealedKey() {
  const { serviceId, apiKey, appId, note } = state.revealed;
  const service = state.services.find((s) => s.id === serviceId);
  const names = variableNames(serviceId);
  return h(
    'section',
    { class: 'panel revealed', id: 'revealed', 'aria-labelledby': 'revealed-title', tabindex: '-1' },
    h('h2', { id: 'revealed-title' }, `Your key for ${service?.name ?? serviceId}`),
    h('p', {}, note),
    h(
      'p',
      { class: 'key-line' },
      h('code', { id: 'full-key' }, apiKey),
      h('button', { type: 'button', class: 'primary', onclick: () => copy(apiKey, 'Key copied.') }, 'Copy key'),
    ),
    appId !== null ? h('p', {}, 'Application id: ', h('code', {}, appId)) : null,
    h(
      'p',
      { class: 'muted' },
      `It is shown only now; afterwards the list shows its preview. Keep it in a secret store or in $${names.apiKey}.`,
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          state.revealed = null;
          renderServices();
          document.getElementById('services-title')?.focus();
        },
      },
      'I have saved it — hide the key',
    ),
  );
}

async function copy(text, done) {
  try {
    await navigator.clipboard.writeText(text);
    announce(done);
  } catch {
    showError(new SignInError('The browser did not allow copying. Select the text and copy it by hand.'));
  }
}

function keyRows(service) {
  const keys = keysOf(service.id);
  if (keys.length === 0)
    return h('p', { class: 'muted' }, service.has_api_key ? service.api_key_preview : 'No key yet.');
  return h(
    'ul',
    { class: 'keys' },
    keys.map((key) =>
      h(
        'li',
        { class: `key state-${key.state}` },
        h('code', {}, key.key_preview),
        ' ',
        h('span', { class: 'badge' }, STATE_WORDS[key.state] ?? key.state),
        key.state === 'grace' && key.valid_until !== null
          ? h('span', {}, ' — accepted until ', timeElement(key.valid_until))
          : null,
        key.state !== 'grace' && key.expires_at !== null
          ? h(
              'span',
              {},
              key.state === 'expired' ? ' — expired ' : ' — expires ',
              timeElement(key.expires_at),
              key.state === 'expired' ? null : ` (${fromNow(key.expires_at)})`,
            )
          : null,
        key.state === 'active' && key.expires_at === null ? h('span', {}, ' — never expires') : null,
      ),
    ),
  );
}

function serviceCard(service) {
  const titleId = `service-${service.id}`;
  const hasKey = service.has_api_key;
  const usage = h('div', { class: 'usage' });
  renderUsage(service, api)
    .then((element) => element !== null && usage.append(element))
    .catch(() => {});
  return h(
    'article',
    { class: 'card', 'aria-labelledby': titleId },
    h(
      'header',
      { class: 'card-head' },
      h('h2', { id: titleId }, service.name),
      h('span', { class: hasKey ? 'badge ok' : 'badge' }, hasKey ? 'Has a key' : 'No key'),
    ),
    service.description ? h('p', {}, service.description) : null,
    service.proxy_endpoint ? h('p', { class: 'muted' }, 'Endpoint: ', h('code', {}, service.proxy_endpoint)) : null,
    keyRows(service),
    h(
      'div',
      { class: 'actions' },
      hasKey
        ? [
            h(
              'button',
              { type: 'button', class: 'secondary', onclick: () => confirmRotate(service) },
              `Rotate key`,
              h('span', { class: 'visually-hidden' }, ` for ${service.name}`),
            ),
            h(
              'button',
              { type: 'button', class: 'danger', onclick: () => confirmRevoke(service) },
              `Revoke key`,
              h('span', { class: 'visually-hidden' }, ` for ${service.name}`),
            ),
          ]
        : h(
            'button',
            { type: 'button', class: 'primary', onclick: () => act(() => getKey(service)) },
            'Get key',
            h('span', { class: 'visually-hidden' }, ` for ${service.name}`),
          ),
    ),
    usage,
    snippetBlock(service),
  );
}

function snippetBlock(service) {
  if (service.proxy_endpoint === null) return null;
  const id = `snippet-${service.id}`;
  const code = h('code', {});
  const select = h(
    'select',
    { id: `${id}-lang`, onchange: () => show() },
    SNIPPET_LANGS.map(([v, l]) => h('option', { value: v }, l)),
  );
  const show = () => {
    code.textContent = renderSnippet(service, select.value, TOKEN_ENDPOINT) ?? '';
  };
  show();
  return h(
    'details',
    { class: 'snippet' },
    h('summary', {}, 'Call it: a runnable snippet'),
    h(
      'p',
      { class: 'muted' },
      `The snippet reads the key from $${variableNames(service.id).apiKey} (set by `,
      h('code', {}, `mlaas run --service ${service.id}`),
      ', or by you).',
    ),
    h(
      'div',
      { class: 'tools' },
      h('div', { class: 'field' }, h('label', { for: `${id}-lang` }, 'Language'), select),
      h(
        'button',
        { type: 'button', class: 'secondary', onclick: () => copy(code.textContent, 'Snippet copied.') },
        'Copy snippet',
      ),
    ),
    h('pre', { tabindex: '0', 'aria-label': `Snippet for ${service.name}` }, code),
  );
}

async function getKey(service) {
  const grant = await api.getKey(service.id);
  state.revealed = {
    serviceId: service.id,
    apiKey: grant.api_key,
    appId: grant.app_id,
    note: grant.is_new
      ? `A new key was created${grant.expires_at ? `; it expires ${when(grant.expires_at)}` : ''}.`
      : 'You already had this key.',
  };
  await load();
  renderServices();
  document.getElementById('revealed')?.focus();
}

/**
 * Asks before a change in a modal dialog (keyboard-trapped by the browser; Escape cancels).
 * @returns the dialog's form values when confirmed, null when cancelled.
 */
function confirmDialog({ title, body, confirmLabel, danger, extra }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const form = h(
      'form',
      { method: 'dialog' },
      h('h2', { id: 'dialog-title' }, title),
      body,
      extra ?? null,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', value: 'cancel', class: 'secondary', autofocus: true }, 'Cancel'),
        h('button', { type: 'submit', value: 'confirm', class: danger ? 'danger' : 'primary' }, confirmLabel),
      ),
    );
    const dialog = h('dialog', { 'aria-labelledby': 'dialog-title' }, form);
    dialog.addEventListener('close', () => {
      const confirmed = dialog.returnValue === 'confirm';
      const values = Object.fromEntries(new FormData(form));
      dialog.remove();
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
      resolve(confirmed ? values : null);
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

function currentKey(service) {
  return keysOf(service.id).find((key) => key.state === 'active') ?? null;
}

async function confirmRotate(service) {
  const key = currentKey(service);
  const preview = key?.key_preview ?? service.api_key_preview ?? 'your key';
  const explain = h('p', { id: 'rotate-effect' });
  const describe = (grace) => {
    explain.textContent =
      grace === 0
        ? `A new key replaces ${preview}, which stops working at once: anything still using it fails until it has the new key.`
        : `A new key replaces ${preview}. The old key keeps working for ${duration(grace)} (until ${when(new Date(Date.now() + grace * 1000).toISOString())}), then stops.`;
  };
  const grace = h(
    'select',
    { id: 'grace', name: 'grace', onchange: (event) => describe(Number(event.target.value)) },
    GRACE_CHOICES.map(([value, label]) => h('option', { value, selected: value === DEFAULT_GRACE }, label)),
  );
  describe(DEFAULT_GRACE);
  const values = await confirmDialog({
    title: `Rotate the key for ${service.name}?`,
    body: explain,
    extra: h('div', { class: 'field' }, h('label', { for: 'grace' }, 'Old key keeps working for'), grace),
    confirmLabel: 'Rotate key',
  });
  if (values === null) return;
  await act(async () => {
    const rotation = await api.rotate(service.id, Number(values.grace));
    const until = rotation.previous.valid_until;
    state.revealed = {
      serviceId: service.id,
      apiKey: rotation.api_key,
      appId: rotation.app_id,
      note: rotation.rotated
        ? `The key was rotated. The old key ${rotation.previous.key_preview} ${until ? `works until ${when(until)}` : 'has stopped'}.`
        : 'The key had just been rotated (by another request); this is the new key.',
    };
    await load();
    renderServices();
    document.getElementById('revealed')?.focus();
  });
}

async function confirmRevoke(service) {
  const previews = keysOf(service.id)
    .filter((key) => key.state === 'active' || key.state === 'grace')
    .map((key) => key.key_preview);
  const which = previews.length > 0 ? previews.join(', ') : (service.api_key_preview ?? 'your key');
  const values = await confirmDialog({
    title: `Revoke the key for ${service.name}?`,
    body: h(
      'p',
      { id: 'revoke-effect' },
      `${which} stops working at once: every call that uses it is refused. This cannot be undone; you can get a new key afterwards.`,
    ),
    confirmLabel: 'Revoke key',
    danger: true,
  });
  if (values === null) return;
  await act(async () => {
    const revocation = await api.revoke(service.id);
    if (state.revealed?.serviceId === service.id) state.revealed = null;
    await load();
    renderServices();
    announce(`Revoked ${revocation.revoked.map((r) => r.key_preview).join(', ') || 'the key'}.`);
    document.getElementById('services-title')?.focus();
  });
}

function historySection() {
  const body = h('div', { id: 'history-body' }, h('p', { class: 'muted' }, 'Loading…'));
  const details = h(
    'details',
    {
      class: 'panel history',
      ontoggle: () => {
        if (details.open) act(() => fillHistory(body));
      },
    },
    h('summary', {}, 'Key history'),
    body,
  );
  return details;
}

async function fillHistory(body) {
  const { events } = await api.history(100);
  if (events.length === 0) {
    replace(body, h('p', { class: 'muted' }, 'No key events yet.'));
    return;
  }
  const names = new Map(state.services.map((s) => [s.id, s.name]));
  replace(
    body,
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, 'Your key events, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['When', 'Service', 'What', 'Key', 'From'].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h(
        'tbody',
        {},
        events.map((event) =>
          h(
            'tr',
            {},
            h('td', {}, timeElement(event.at)),
            h('td', {}, names.get(event.service_id) ?? event.service_id),
            h('td', {}, EVENT_WORDS[event.event] ?? event.event, event.outcome === 'failure' ? ' (failed)' : ''),
            h('td', {}, event.key_preview ? h('code', {}, event.key_preview) : '—'),
            h('td', {}, event.client ?? '—'),
          ),
        ),
      ),
    ),
  );
}

async function start() {
  auth.prepare();
  try {
    await auth.completeSignIn();
    performance.mark('mlaas:signed-in');
    if (auth.signedIn) {
      replace(view, h('p', { role: 'status' }, 'Loading your services…'));
      await load();
    }
  } catch (error) {
    showError(error);
  }
  render();
}

start();
