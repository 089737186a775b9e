// Item 5, the composer: publish as the server (validated JSON, to channels or a user),
// a client event as a virtual client, a raw frame to one socket, saved templates.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, uniq } from '../support/harness.mjs';
import { client, connected, inbox, subscribed } from '../support/clients.mjs';

const h = harness('composer');

describe('composer', () => {
  it('validates JSON as typed and publishes as the server', async () => {
    const channel = uniq('composed');
    const c = await connected(client(h.server));
    await subscribed(c, channel);
    const box = inbox(c);
    await h.open('composer');
    await h.page.getByLabel('Channels').fill(channel);
    await h.page.getByLabel('Event').fill('injected');
    await h.page.getByLabel('Data').fill('{"price": }');
    await h.page.getByText(/line 1, column 11/).waitFor();
    assert.ok(await h.page.getByRole('button', { name: 'Publish' }).isDisabled());
    await h.shot('invalid-json');
    await h.page.getByLabel('Data').fill('{"price": 42}');
    await h.page.getByRole('button', { name: 'Publish' }).click();
    const got = await box.wait((e) => e.event === 'injected');
    assert.deepEqual(got.data, { price: 42 });
  });

  it('sends a client event on a private channel as a virtual client', async () => {
    const channel = uniq('private-chat');
    const c = await connected(client(h.server));
    await subscribed(c, channel);
    const box = inbox(c);
    await h.page.getByRole('tab', { name: 'As a client' }).click();
    await h.page.getByLabel('Channels').fill(channel);
    await h.page.getByLabel('Event').fill('client-typing');
    await h.page.getByLabel('Data').fill('{"typing": true}');
    await h.page.getByRole('button', { name: 'Publish' }).click();
    const got = await box.wait((e) => e.event === 'client-typing');
    assert.deepEqual(got.data, { typing: true });
  });

  it('sends a raw frame to one socket, and keeps templates', async () => {
    const c = await connected(client(h.server));
    const box = inbox(c);
    await h.page.getByRole('tab', { name: 'Raw frame' }).click();
    await h.page.getByLabel('Socket').fill(c.connection.socket_id);
    await h.page.getByLabel('Data').fill('{"event":"raw-hello","channel":"x","data":"{\\"n\\":1}"}');
    await h.page.getByLabel('Template name').fill('hello frame');
    await h.page.getByRole('button', { name: 'Save as template' }).click();
    await h.page.getByRole('button', { name: 'Send frame' }).click();
    await box.wait((e) => e.event === 'raw-hello');
    await h.page.getByRole('tab', { name: 'As the server' }).click();
    await h.page.getByRole('button', { name: 'hello frame', exact: true }).click();
    assert.ok((await h.page.getByLabel('Data').inputValue()).includes('raw-hello'));
    await h.shot('composer');
  });
});
