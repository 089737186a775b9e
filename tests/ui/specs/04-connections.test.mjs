// Item 4, connections and channels: live lists with counts, presence members with their
// user info, a connection's own timeline, disconnect with a chosen code, terminate a user.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, uniq, waitUntil } from '../support/harness.mjs';
import { client, connected, subscribed } from '../support/clients.mjs';

const h = harness('connections');

describe('connections and channels', () => {
  it('lists presence members with their user info', async () => {
    const room = uniq('presence-room');
    const ada = await connected(client(h.server, { presence: { user_id: 'ada', user_info: { name: 'Ada Lovelace' } } }));
    const bob = await connected(client(h.server, { presence: { user_id: 'bob', user_info: { name: 'Bob' } } }));
    await subscribed(ada, room);
    await subscribed(bob, room);
    await h.open('channels');
    await h.page.locator('tbody tr', { hasText: room }).click();
    await h.page.getByRole('heading', { name: 'Members (2)' }).waitFor();
    await h.page.locator('.members').getByText('Ada Lovelace').waitFor();
    await h.shot('channels');
  });

  it('shows a connection, its own timeline, and closes it with a chosen code', async () => {
    const channel = uniq('mine');
    const c = await connected(client(h.server));
    await subscribed(c, channel);
    const socket = c.connection.socket_id;
    await h.open('connections');
    await h.page.locator('tbody tr', { hasText: socket }).click();
    await h.page.locator('.mini-timeline', { hasText: channel }).waitFor();
    await h.shot('connection');
    const closed = new Promise((resolve) => c.connection.bind('error', (e) => resolve(e)));
    await h.page.getByLabel('Close code').fill('4201');
    await h.page.getByRole('button', { name: 'Disconnect' }).click();
    await closed;
    await waitUntil(async () => (await h.page.locator('tbody tr', { hasText: socket }).count()) === 0, { what: 'socket gone from the list' });
  });

  it('terminates a signed-in user', async () => {
    const c = await connected(client(h.server, { user: { id: 'grace', user_info: { name: 'Grace' } } }));
    c.signin();
    await h.open('connections');
    const row = h.page.locator('tbody tr', { hasText: 'grace' });
    await row.click();
    const gone = new Promise((resolve) => c.connection.bind('state_change', ({ current }) => current !== 'connected' && resolve(current)));
    await h.page.getByRole('button', { name: 'Terminate user grace' }).click();
    assert.ok(await gone);
  });
});
