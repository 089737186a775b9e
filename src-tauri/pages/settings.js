// The settings window: host and port, apps (secrets masked), the project .env, the data
// directory and retention. Saving goes through `save_settings`, which checks the result as
// the server would load it before writing anything.
'use strict';

const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);
const $ = (id) => document.getElementById(id);
let state = { dataDir: null, defaultDataDir: '', envFile: null };

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
}

function appRow(app) {
  const cell = (input) => el('td', {}, [input]);
  const text = (value, name) => el('input', { type: 'text', value, name, spellcheck: false });
  const check = (checked, name) => el('input', { type: 'checkbox', checked, name });
  const secret = el('input', {
    type: 'password', name: 'secret', autocomplete: 'off',
    placeholder: app.original_id ? app.secret_masked : 'random if empty',
  });
  const remove = el('button', { textContent: 'Remove', title: 'Remove this app' });
  const row = el('tr', {}, [
    cell(text(app.id, 'id')), cell(text(app.key, 'key')), cell(secret),
    cell(check(app.enabled, 'enabled')), cell(check(app.client_events, 'client_events')),
    cell(check(app.user_authentication, 'user_authentication')), cell(remove),
  ]);
  row.dataset.originalId = app.original_id ?? '';
  remove.addEventListener('click', () => row.remove());
  return row;
}

function render(page) {
  const s = page.settings;
  $('server').textContent = page.server.message;
  $('server').className = page.server.state === 'running' ? 'good' : 'bad';
  $('host').value = s.host;
  $('port').value = s.port;
  $('apps').replaceChildren(...s.apps.map((a) => appRow({ ...a, original_id: a.id })));
  state = { dataDir: s.data_dir, defaultDataDir: s.default_data_dir, envFile: s.env_file };
  showPaths();
  $('ret-sessions').value = s.retention_sessions || '';
  $('ret-days').value = s.retention_days || '';
  $('config-file').textContent = s.config_file;
}

function showPaths() {
  $('env-file').value = state.envFile ?? '';
  $('data-dir').value = state.dataDir ?? '';
  $('data-dir').placeholder = `${state.defaultDataDir} (default)`;
}

function edit() {
  const apps = [...$('apps').children].map((row) => {
    const field = (name) => row.querySelector(`[name=${name}]`);
    return {
      original_id: row.dataset.originalId || null,
      id: field('id').value.trim(),
      key: field('key').value.trim(),
      secret: field('secret').value || null,
      enabled: field('enabled').checked,
      client_events: field('client_events').checked,
      user_authentication: field('user_authentication').checked,
    };
  });
  const number = (id) => (Number($(id).value) > 0 ? Number($(id).value) : null);
  return {
    host: $('host').value.trim(),
    port: Number($('port').value),
    apps,
    env_file: state.envFile,
    data_dir: state.dataDir,
    retention_sessions: number('ret-sessions'),
    retention_days: number('ret-days'),
  };
}

async function act(action, done) {
  for (const b of document.querySelectorAll('button')) b.disabled = true;
  $('result').textContent = 'Working…';
  $('result').className = 'muted';
  try {
    const page = await action();
    if (page) render(page);
    $('result').textContent = done;
    $('result').className = 'good';
  } catch (error) {
    $('result').textContent = String(error);
    $('result').className = 'bad';
  } finally {
    for (const b of document.querySelectorAll('button')) b.disabled = false;
  }
}

const blankApp = { original_id: null, id: '', key: '', secret_masked: '', enabled: true,
  client_events: true, user_authentication: false };

$('add-app').addEventListener('click', () => $('apps').append(appRow(blankApp)));
$('save').addEventListener('click', () => act(() => invoke('save_settings', { settings: edit() }), 'Saved and applied.'));
$('revert').addEventListener('click', () => act(() => invoke('get_settings'), 'Reverted.'));
$('choose-env').addEventListener('click', async () => {
  const path = await invoke('choose_env_file');
  if (path) { state.envFile = path; showPaths(); }
});
$('clear-env').addEventListener('click', () => { state.envFile = null; showPaths(); });
$('choose-data').addEventListener('click', async () => {
  const path = await invoke('choose_data_dir');
  if (path) { state.dataDir = path; showPaths(); }
});
$('default-data').addEventListener('click', () => { state.dataDir = null; showPaths(); });
act(() => invoke('get_settings'), '');
