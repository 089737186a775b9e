// Item 6, replay: pick rows (click, shift-click), timing and a channel rename, watch the
// progress bar to the end; step timing; cancel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, uniq, waitUntil } from '../support/harness.mjs';
import { client, connected, inbox, sdk, subscribed } from '../support/clients.mjs';

const h = harness('replay');
const source = uniq('burst');
const target = uniq('replayed');

describe('replay', () => {
  it('replays shift-click-selected records into a renamed channel', async () => {
    const api = sdk(h.server);
    for (let i = 0; i < 4; i++) await api.trigger(source, 'burst', { i });
    const listener = await connected(client(h.server));
    await subscribed(listener, target);
    const box = inbox(listener);
    await h.page.getByLabel('Filter', { exact: true }).fill(`channel:${source} kind:api_request`);
    await h.page.getByLabel('Filter', { exact: true }).press('Enter');
    await waitUntil(async () => (await h.page.locator('.row[data-seq]').count()) === 4, { what: 'four API rows' });
    const rows = h.page.locator('.row[data-seq]');
    await rows.nth(0).click();
    await rows.nth(3).click({ modifiers: ['Shift'] });
    await h.page.getByText('4 selected').waitFor();
    await h.shot('selected');
    await h.page.getByRole('button', { name: 'Replay selected' }).click();
    await h.page.getByRole('button', { name: 'As fast as possible' }).click();
    await h.page.getByRole('button', { name: 'Add a rename' }).click();
    await h.page.getByLabel('Rename from').fill(source);
    await h.page.getByLabel('Rename to').fill(target);
    await h.page.getByRole('button', { name: 'Start replay' }).click();
    await h.page.locator('.replay-state', { hasText: 'finished' }).waitFor();
    await h.shot('finished');
    await waitUntil(() => box.events.filter((e) => e.event === 'burst').length === 4, { what: 'four replayed events' });
    assert.deepEqual(box.events.filter((e) => e.event === 'burst').map((e) => e.data.i), [0, 1, 2, 3]);
  });

  it('steps one record at a time and cancels', async () => {
    await h.page.getByRole('button', { name: 'Replay something else' }).click();
    await h.open('timeline');
    await h.page.getByRole('button', { name: 'Replay all matches' }).click();
    await h.page.getByRole('button', { name: 'One step at a time' }).click();
    await h.page.getByRole('button', { name: 'Start replay' }).click();
    await h.page.getByRole('button', { name: 'Next step' }).click();
    await waitUntil(async () => /^1 \//.test(await h.page.locator('.replay-progress p').innerText()), { what: 'one step done' });
    await h.page.getByRole('button', { name: 'Cancel' }).click();
    await h.page.locator('.replay-state', { hasText: 'cancelled' }).waitFor();
  });
});
