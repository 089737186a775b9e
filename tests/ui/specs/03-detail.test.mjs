// Item 3, the detail pane: JSON tree and raw frame; a trigger's delivery trace (reached,
// skipped and why, as links); a refused subscription's string-to-sign and signatures;
// "copy as" curl / Node / PHP / Python for an HTTP API call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, uniq } from '../support/harness.mjs';
import { client, connected, sdk, subscribed } from '../support/clients.mjs';

const h = harness('detail');

describe('detail pane', () => {
  it('traces a trigger to the sockets it reached and skipped', async () => {
    const channel = uniq('trace');
    const a = await connected(client(h.server));
    const b = await connected(client(h.server));
    const bystander = await connected(client(h.server));
    await subscribed(a, channel);
    await subscribed(b, channel);
    await subscribed(bystander, uniq('elsewhere'));
    await sdk(h.server).trigger(channel, 'traced', { n: 1 }, { socket_id: b.connection.socket_id });
    const row = await h.row('HTTP API', channel);
    await row.click();
    const detail = h.page.locator('.detail');
    await detail.getByRole('tab', { name: 'Trace' }).click();
    await detail.getByText('Reached (1)').waitFor();
    await detail.getByRole('button', { name: a.connection.socket_id }).waitFor();
    await detail.getByText('excluded by the trigger’s socket_id').waitFor();
    await detail.getByText('not subscribed to the channel').first().waitFor();
    await h.shot('trace');
    // Each delivery is a link to its own record.
    await detail.locator('.trace-rec', { hasText: 'delivery' }).first().click();
    await h.page.locator('.detail .badge', { hasText: 'delivery' }).waitFor();
  });

  it('explains a refused subscription with the signatures', async () => {
    const channel = uniq('private-secret');
    const bad = await connected(client(h.server, { secret: 'not-the-secret' }));
    bad.subscribe(channel);
    await (await h.row('sub refused', channel)).click();
    const explain = h.page.locator('.detail .explain');
    await explain.getByText('Signature does not match').waitFor();
    const text = await explain.innerText();
    assert.ok(text.includes(`${bad.connection.socket_id}:${channel}`), 'string to sign shown');
    assert.match(text, /expected\s+(app-key:)?[0-9a-f]{64}/);
    assert.match(text, /supplied\s+(app-key:)?[0-9a-f]{64}/);
    await h.shot('refused-subscription');
  });

  it('copies an HTTP API call as curl, Node, PHP and Python', async () => {
    const channel = uniq('copy');
    await sdk(h.server).trigger(channel, 'copied', { ok: true });
    await (await h.row('HTTP API', channel)).click();
    const detail = h.page.locator('.detail');
    await detail.getByRole('tab', { name: 'Copy as' }).click();
    const code = detail.locator('.code-block pre');
    assert.match(await code.innerText(), /openssl dgst -sha256 -hmac/);
    assert.match(await code.innerText(), new RegExp(`${h.server.port}/apps/app-id/events`));
    for (const [name, needle] of [['Node', 'pusher.trigger('], ['PHP', '$pusher->trigger('], ['Python', 'client.trigger(']]) {
      await detail.getByRole('button', { name, exact: true }).click();
      assert.ok((await code.innerText()).includes(needle), `${name} snippet`);
      assert.ok((await code.innerText()).includes(channel), `${name} names the channel`);
    }
    await h.shot('copy-as');
  });
});
