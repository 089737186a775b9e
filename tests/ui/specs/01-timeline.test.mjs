// Item 1, the timeline: live rows from real pusher-js and SDK traffic with decoded
// payloads, following the tail, pause with "N new", pings hidden unless asked; plus the
// keyboard (j/k, space, Esc) and both themes (item 10).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, uniq, waitUntil } from '../support/harness.mjs';
import { client, connected, inbox, rawSocket, sdk, subscribed } from '../support/clients.mjs';

const h = harness('timeline');

describe('timeline', () => {
  it('teaches the next step while empty', async () => {
    // A fresh server has no traffic: the empty state offers both ways forward.
    const empty = h.page.locator('.empty');
    await empty.getByRole('button', { name: 'Connect your app' }).waitFor();
    await empty.getByRole('button', { name: 'Send a test event' }).waitFor();
    await h.shot('empty');
  });

  it('shows live rows with the decoded payload', async () => {
    const channel = uniq('orders');
    const c = await connected(client(h.server));
    await subscribed(c, channel);
    const box = inbox(c);
    await sdk(h.server).trigger(channel, 'order.created', { id: 7, total: 12.5 });
    await box.wait((e) => e.event === 'order.created');
    const row = await h.row('delivery', channel, 'order.created');
    await row.click();
    const detail = h.page.locator('.detail');
    await detail.getByText('data arrived as a JSON string and was decoded.').waitFor();
    await detail.locator('.json-tree').getByText('total').waitFor();
    await detail.getByRole('tab', { name: 'Raw' }).click();
    assert.match(await detail.locator('pre').innerText(), /\\"total\\":12.5/);
    await h.shot('live-detail');
  });

  it('hides pings unless asked', async () => {
    const raw = await rawSocket(h.server);
    raw.send({ event: 'pusher:ping', data: {} });
    await waitUntil(() => raw.frames.find((f) => f.event === 'pusher:pong'), { what: 'pong' });
    await h.page.waitForTimeout(300);
    assert.equal(await h.page.locator('.row[data-seq]', { hasText: 'pusher:ping' }).count(), 0);
    await h.page.getByLabel('Show pings').check();
    await h.row('pusher:ping');
    await h.page.getByLabel('Show pings').uncheck();
    raw.ws.close();
  });

  it('pauses with space, counts new rows, resumes', async () => {
    const channel = uniq('paused');
    await h.page.locator('.scroller').click({ position: { x: 5, y: 5 } });
    await h.page.keyboard.press('Escape');
    await h.page.keyboard.press(' ');
    await h.page.getByRole('button', { name: 'Resume' }).waitFor();
    const before = await h.page.locator('.row[data-seq]').count();
    const api = sdk(h.server);
    for (let i = 0; i < 3; i++) await api.trigger(channel, 'tick', { i });
    const badge = h.page.locator('.new-count');
    await badge.waitFor();
    await waitUntil(async () => /\d+ new/.test(await badge.innerText()), { what: '"N new"' });
    assert.equal(await h.page.locator('.row[data-seq]', { hasText: channel }).count(), 0, 'paused view stays put');
    await h.shot('paused');
    assert.ok(before >= 0);
    await badge.click();
    await h.row(channel, 'tick');
  });

  it('moves with j/k and clears with Esc', async () => {
    await h.page.keyboard.press('Escape');
    await h.page.keyboard.press('k');
    const focused = h.page.locator('.row.focused');
    await focused.waitFor();
    const last = await focused.getAttribute('data-seq');
    await h.page.keyboard.press('k');
    const prev = await focused.getAttribute('data-seq');
    assert.ok(Number(prev) < Number(last));
    await h.page.keyboard.press('j');
    assert.equal(await focused.getAttribute('data-seq'), last);
    await h.page.keyboard.press('Escape');
    assert.equal(await h.page.locator('.detail').count(), 0);
  });

  it('switches between dark and light themes', async () => {
    const html = h.page.locator('html');
    const first = await html.getAttribute('data-theme');
    await h.page.getByRole('button', { name: /theme/ }).click();
    const second = await html.getAttribute('data-theme');
    assert.notEqual(first, second);
    await h.shot(`theme-${second}`);
    await h.page.getByRole('button', { name: /theme/ }).click();
    await h.shot(`theme-${first}`);
  });
});
