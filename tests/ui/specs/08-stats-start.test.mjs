// Items 8 and 9: stats charts move with real traffic; getting-started snippets carry the
// running server's address and keys; a client with a wrong key is explained.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, uniq, waitUntil } from '../support/harness.mjs';
import { client, connected, sdk } from '../support/clients.mjs';

const h = harness('stats-start');

describe('stats', () => {
  it('charts events per second and connections', async () => {
    await connected(client(h.server));
    const api = sdk(h.server);
    const channel = uniq('stats');
    for (let i = 0; i < 20; i++) await api.trigger(channel, 'tick', { i });
    await h.open('stats');
    await h.page.locator('figure.chart').first().waitFor();
    await waitUntil(async () => Number((await h.page.locator('.chart-latest').nth(1).innerText()).split(' ')[0]) >= 1, { timeout: 5000, what: 'a connection on the chart' });
    await waitUntil(async () => (await h.page.locator('svg[aria-label^="Events per second"]').getAttribute('aria-label')).match(/peak [1-9]/), { timeout: 5000, what: 'events on the chart' });
    await h.shot('stats');
  });
});

describe('getting started', () => {
  it('generates snippets for this server', async () => {
    await h.open('start');
    const code = h.page.locator('.code-block pre').first();
    await code.waitFor();
    assert.ok((await code.innerText()).includes(`wsPort: ${h.server.port}`));
    assert.ok((await code.innerText()).includes('"app-key"'));
    await h.page.getByRole('tab', { name: 'Laravel Echo' }).click();
    assert.ok((await code.innerText()).includes(`PUSHER_PORT=${h.server.port}`));
    for (const name of ['Node server', 'PHP server', 'Python server']) {
      await h.page.getByRole('tab', { name }).click();
      assert.ok((await code.innerText()).includes(String(h.server.port)), name);
    }
    await h.shot('start');
  });

  it('explains a client refused for a wrong key', async () => {
    const wrong = client(h.server, { key: 'not-a-key' });
    await waitUntil(() => wrong.connection.state !== 'connecting' && wrong.connection.state !== 'initialized', { timeout: 5000, what: 'refusal' });
    await h.page.locator('.explain', { hasText: 'Wrong app key' }).waitFor({ timeout: 8000 });
    assert.match(await h.page.locator('.explain', { hasText: 'Wrong app key' }).innerText(), /app-key/);
    await h.shot('refused');
    wrong.disconnect();
  });
});
