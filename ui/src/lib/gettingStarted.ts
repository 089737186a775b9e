// Getting-started snippets generated for the running server's address and an app:
// pusher-js, Laravel Echo with its .env, and the Node, PHP and Python server SDKs.
import type { AppInfo } from '../bindings/AppInfo';

export type Guide = 'pusher-js' | 'echo' | 'node' | 'php' | 'python';
export const GUIDES: readonly { id: Guide; label: string }[] = [
  { id: 'pusher-js', label: 'pusher-js' },
  { id: 'echo', label: 'Laravel Echo' },
  { id: 'node', label: 'Node server' },
  { id: 'php', label: 'PHP server' },
  { id: 'python', label: 'Python server' },
];

export type Address = { host: string; port: number; tls: boolean };

export function address(wsUrl: string): Address {
  const url = new URL(wsUrl);
  const tls = url.protocol === 'wss:' || url.protocol === 'https:';
  return { host: url.hostname, port: Number(url.port || (tls ? 443 : 80)), tls };
}

/** An app as the snippets need it; `secret` when the inspector could read it. */
export type GuideApp = AppInfo & { secret?: string | null };

const SECRET_NOTE = (app: GuideApp) =>
  app.secret ? `this app's secret is ${app.secret}` : `the secret of app ${app.id}${app.secret_masked ? ` (${app.secret_masked})` : ''}`;

export function pusherJs(a: Address, app: GuideApp): string {
  return `import Pusher from 'pusher-js';

const pusher = new Pusher(${JSON.stringify(app.key)}, {
  cluster: 'mt1', // required by pusher-js, ignored by Switchboard
  wsHost: ${JSON.stringify(a.host)},
  wsPort: ${a.port},
  wssPort: ${a.port},
  forceTLS: ${a.tls},
  enabledTransports: ['ws', 'wss'],
  // For private and presence channels, point at your app's auth endpoint:
  // channelAuthorization: { endpoint: '/broadcasting/auth', transport: 'ajax' },
});

pusher.subscribe('my-channel').bind('my-event', (data) => {
  console.log('my-event', data);
});`;
}

export function echoEnv(a: Address, app: GuideApp): string {
  return `BROADCAST_CONNECTION=pusher   # BROADCAST_DRIVER=pusher before Laravel 11
PUSHER_APP_ID=${app.id}
PUSHER_APP_KEY=${app.key}
${app.secret ? `PUSHER_APP_SECRET=${app.secret}` : `PUSHER_APP_SECRET=   # ${SECRET_NOTE(app)}`}
PUSHER_HOST=${a.host}
PUSHER_PORT=${a.port}
PUSHER_SCHEME=${a.tls ? 'https' : 'http'}
PUSHER_APP_CLUSTER=mt1

VITE_PUSHER_APP_KEY="\${PUSHER_APP_KEY}"
VITE_PUSHER_HOST="\${PUSHER_HOST}"
VITE_PUSHER_PORT="\${PUSHER_PORT}"
VITE_PUSHER_SCHEME="\${PUSHER_SCHEME}"
VITE_PUSHER_APP_CLUSTER="\${PUSHER_APP_CLUSTER}"`;
}

export function echoJs(): string {
  return `import Echo from 'laravel-echo';
import Pusher from 'pusher-js';
window.Pusher = Pusher;

window.Echo = new Echo({
  broadcaster: 'pusher',
  key: import.meta.env.VITE_PUSHER_APP_KEY,
  cluster: import.meta.env.VITE_PUSHER_APP_CLUSTER,
  wsHost: import.meta.env.VITE_PUSHER_HOST,
  wsPort: import.meta.env.VITE_PUSHER_PORT,
  wssPort: import.meta.env.VITE_PUSHER_PORT,
  forceTLS: (import.meta.env.VITE_PUSHER_SCHEME ?? 'https') === 'https',
  enabledTransports: ['ws', 'wss'],
});

window.Echo.channel('orders').listen('OrderShipped', (e) => console.log(e));`;
}

export function nodeServer(a: Address, app: GuideApp): string {
  return `// npm install pusher
import Pusher from 'pusher';

const pusher = new Pusher({
  appId: ${JSON.stringify(app.id)},
  key: ${JSON.stringify(app.key)},
  secret: process.env.PUSHER_APP_SECRET, // ${SECRET_NOTE(app)}
  host: ${JSON.stringify(a.host)},
  port: ${JSON.stringify(String(a.port))},
  useTLS: ${a.tls},
});

await pusher.trigger('my-channel', 'my-event', { message: 'hello' });`;
}

export function phpServer(a: Address, app: GuideApp): string {
  return `<?php
// composer require pusher/pusher-php-server
require 'vendor/autoload.php';

$pusher = new Pusher\\Pusher('${app.key}', getenv('PUSHER_APP_SECRET'), '${app.id}', [
    'host' => '${a.host}',
    'port' => ${a.port},
    'scheme' => '${a.tls ? 'https' : 'http'}',
    'useTLS' => ${a.tls},
]); // PUSHER_APP_SECRET: ${SECRET_NOTE(app)}

$pusher->trigger('my-channel', 'my-event', ['message' => 'hello']);`;
}

export function pythonServer(a: Address, app: GuideApp): string {
  return `# pip install pusher
import os
import pusher

client = pusher.Pusher(
    app_id=${JSON.stringify(app.id)},
    key=${JSON.stringify(app.key)},
    secret=os.environ["PUSHER_APP_SECRET"],  # ${SECRET_NOTE(app)}
    host=${JSON.stringify(a.host)},
    port=${a.port},
    ssl=${a.tls ? 'True' : 'False'},
)

client.trigger("my-channel", "my-event", {"message": "hello"})`;
}

/** The snippet blocks of one guide: a title and the text to copy. */
export function guide(id: Guide, a: Address, app: GuideApp): { title: string; text: string }[] {
  switch (id) {
    case 'pusher-js':
      return [{ title: 'In the browser', text: pusherJs(a, app) }];
    case 'echo':
      return [
        { title: '.env', text: echoEnv(a, app) },
        { title: 'resources/js/echo.js', text: echoJs() },
      ];
    case 'node':
      return [{ title: 'Publish from Node', text: nodeServer(a, app) }];
    case 'php':
      return [{ title: 'Publish from PHP', text: phpServer(a, app) }];
    case 'python':
      return [{ title: 'Publish from Python', text: pythonServer(a, app) }];
    default: {
      const never: never = id;
      throw new Error(`unknown guide ${String(never)}`);
    }
  }
}
