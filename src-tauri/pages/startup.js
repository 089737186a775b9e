// The start-up page: shown when the embedded server cannot start (port taken, settings
// refused). Offers another port or a retry; once the server runs the app moves this window
// to the inspector by itself.
'use strict';

const invoke = (cmd, args) => window.__TAURI__.core.invoke(cmd, args);
const $ = (id) => document.getElementById(id);

function show(view) {
  const titles = {
    starting: 'Starting Switchboard…',
    running: 'Opening the inspector…',
    port_taken: 'The port is taken',
    failed: 'Switchboard could not start',
    stopped: 'Switchboard has stopped',
  };
  $('title').textContent = titles[view.state] || 'Switchboard';
  $('message').textContent = view.message;
  $('message').className = view.state === 'running' ? 'good' : view.state === 'starting' ? 'muted' : 'bad';
  const stuck = view.state === 'port_taken' || view.state === 'failed' || view.state === 'stopped';
  $('actions').hidden = !stuck;
  const usePort = $('use-port');
  usePort.hidden = !(view.state === 'port_taken' && view.suggestion);
  if (view.suggestion) {
    usePort.textContent = `Use port ${view.suggestion}`;
    usePort.dataset.port = String(view.suggestion);
  }
  $('retry').textContent = view.port ? `Retry port ${view.port}` : 'Retry';
  const note = $('note');
  note.hidden = view.state !== 'port_taken';
  note.textContent =
    `“Use port ${view.suggestion ?? ''}” saves that port in Settings: point your clients ` +
    '(wsPort, PUSHER_PORT) at it. Or stop the other program and retry.';
  if (view.state === 'starting') setTimeout(refresh, 500);
}

async function run(action) {
  for (const b of document.querySelectorAll('button')) b.disabled = true;
  $('message').textContent = 'Starting the server…';
  try {
    show(await action());
  } catch (error) {
    $('message').textContent = String(error);
    $('message').className = 'bad';
  } finally {
    for (const b of document.querySelectorAll('button')) b.disabled = false;
  }
}

async function refresh() {
  try {
    show(await invoke('startup_status'));
  } catch (error) {
    $('message').textContent = String(error);
  }
}

$('retry').addEventListener('click', () => run(() => invoke('retry_start')));
$('use-port').addEventListener('click', () =>
  run(() => invoke('use_port', { port: Number($('use-port').dataset.port) })),
);
refresh();
