// Item 3, continued: the trace of a client event shows the webhook it led to (sent to a real
// receiver), with the events it carried and the receiver's answer.
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { harness, uniq, waitUntil } from '../support/harness.mjs';
import { client, connected, subscribed } from '../support/clients.mjs';

const hooks = [];
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    hooks.push(JSON.parse(body));
    res.end('{}');
  });
});
after(() => receiver.close());

const h = harness('webhooks', async () => {
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${receiver.address().port}/pusher/webhook`;
  return {
    config: `[[apps]]\nid = "app-id"\nkey = "app-key"\nsecret = "app-secret"\n\n[[apps.webhooks]]\nurl = "${url}"\nevent_types = ["client_event"]\n`,
  };
});

describe('webhooks in the trace', () => {
  it('links a client event to the webhook it caused', async () => {
    const channel = uniq('private-hooked');
    const sender = await connected(client(h.server));
    await subscribed(sender, channel);
    sender.channel(channel).trigger('client-typing', { typing: true });
    await waitUntil(() => hooks.length > 0, { timeout: 8000, what: 'the webhook' });
    await (await h.row('frame in', channel, 'client-typing')).click();
    const detail = h.page.locator('.detail');
    await detail.getByRole('tab', { name: 'Trace' }).click();
    // The attempt names the client event's frame as its cause: linked, not guessed by time.
    await detail.getByRole('heading', { name: 'Webhooks (1)' }).waitFor();
    await detail.locator('.trace-rec', { hasText: 'client_event' }).filter({ hasText: 'HTTP 200' }).waitFor();
    await h.shot('trace');
  });
});
