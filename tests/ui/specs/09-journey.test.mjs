// The "done when": a newcomer connects their app from the Getting started view,
// finds why an event did not arrive, injects a test event, replays a recorded burst into
// their app and exports the session — all through the page.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, uniq, waitUntil } from '../support/harness.mjs';
import { client, connected, inbox, sdk, subscribed } from '../support/clients.mjs';

const h = harness('journey');

describe('a first session with Switchboard', () => {
  it('connects, debugs, injects, replays and exports', async () => {
    // 1. Connect: the snippet names this server; the app connects with it.
    await h.open('start');
    const snippet = await h.page.locator('.code-block pre').first().innerText();
    const port = Number(/wsPort: (\d+)/.exec(snippet)?.[1]);
    assert.equal(port, h.server.port);
    const app = await connected(client({ ...h.server, port }));
    const box = inbox(app);
    const wanted = uniq('orders');
    await subscribed(app, wanted);

    // 2. The backend publishes to a misspelt channel: the trace says nobody was subscribed.
    const typo = `${wanted}-typo`;
    await sdk(h.server).trigger(typo, 'order.created', { id: 1 });
    await h.open('timeline');
    await (await h.row('delivery', typo)).click();
    await h.page.locator('.detail').getByRole('tab', { name: 'Trace' }).click();
    await h.page.getByText(/No socket received it: nobody was subscribed to/).waitFor();
    await h.shot('why-not');

    // 3. Inject a test event to the right channel from the composer.
    await h.open('composer');
    await h.page.getByLabel('Channels').fill(wanted);
    await h.page.getByLabel('Event').fill('order.created');
    await h.page.getByLabel('Data').fill('{"id": 2}');
    await h.page.getByRole('button', { name: 'Publish' }).click();
    await box.wait((e) => e.event === 'order.created' && e.data.id === 2);

    // 4. Replay the recorded burst (the misspelt one) into the right channel.
    await h.open('timeline');
    await h.page.getByLabel('Filter', { exact: true }).fill(`channel:${typo} kind:api_request`);
    await h.page.getByLabel('Filter', { exact: true }).press('Enter');
    await waitUntil(async () => (await h.page.locator('.row[data-seq]').count()) === 1, { what: 'the burst' });
    await h.page.getByRole('button', { name: 'Replay all matches' }).click();
    await h.page.getByRole('button', { name: 'As fast as possible' }).click();
    await h.page.getByRole('button', { name: 'Add a rename' }).click();
    await h.page.getByLabel('Rename from').fill(typo);
    await h.page.getByLabel('Rename to').fill(wanted);
    await h.page.getByRole('button', { name: 'Start replay' }).click();
    await h.page.locator('.replay-state', { hasText: 'finished' }).waitFor();
    await box.wait((e) => e.event === 'order.created' && e.data.id === 1);

    // 5. Export the session.
    await h.open('sessions');
    const [download] = await Promise.all([h.page.waitForEvent('download'), h.page.getByRole('button', { name: 'Export NDJSON' }).first().click()]);
    assert.match(download.suggestedFilename(), /\.ndjson$/);
    await h.shot('exported');
  });
});
