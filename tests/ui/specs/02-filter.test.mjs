// Item 2, the filter bar: autocomplete of fields and known values, the error position
// underlined, saved filters, and "filter by this value" from a cell.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harness, uniq, waitUntil } from '../support/harness.mjs';
import { client, connected, sdk, subscribed } from '../support/clients.mjs';

const h = harness('filter');
const alpha = uniq('alpha');
const beta = uniq('beta');

describe('filter bar', () => {
  it('autocompletes field names and known channels', async () => {
    const c = await connected(client(h.server));
    await subscribed(c, alpha);
    await subscribed(c, beta);
    await sdk(h.server).trigger([alpha, beta], 'greeting', { hello: 'world' });
    await h.row(beta, 'greeting');
    await h.page.keyboard.press('/');
    const input = h.page.getByLabel('Filter', { exact: true });
    await input.pressSequentially('chan');
    await h.page.getByRole('option', { name: /^channel/ }).waitFor();
    await input.press('Tab');
    assert.equal(await input.inputValue(), 'channel:');
    await input.pressSequentially(alpha.slice(0, 4));
    await h.page.getByRole('option', { name: alpha }).waitFor();
    await h.shot('autocomplete');
    await input.press('Tab');
    assert.equal((await input.inputValue()).trim(), `channel:${alpha}`);
    await input.press('Enter');
    await waitUntil(async () => (await h.page.locator('.row[data-seq]', { hasText: beta }).count()) === 0, { what: 'beta rows filtered out' });
    await h.row(alpha, 'greeting');
  });

  it('underlines where the filter is wrong', async () => {
    const input = h.page.getByLabel('Filter', { exact: true });
    await input.fill('event:greeting chanel:x');
    await h.page.locator('.err-mark').waitFor();
    assert.equal(await h.page.locator('.err-mark').innerText(), 'chanel');
    assert.match(await h.page.getByRole('alert').innerText(), /channel/);
    await h.shot('error');
    await input.press('Escape');
    await input.press('Escape');
    assert.equal(await input.inputValue(), '');
  });

  it('saves a filter and applies it again', async () => {
    const input = h.page.getByLabel('Filter', { exact: true });
    await input.fill(`channel:${beta}`);
    await input.press('Enter');
    // The API call names both channels; alpha's delivery is what must go.
    await waitUntil(async () => (await h.page.locator('.row[data-seq]', { hasText: alpha }).filter({ hasText: 'delivery' }).count()) === 0, { what: 'filter applied' });
    await h.page.getByRole('button', { name: /Saved filters/ }).click();
    await h.page.getByLabel('Filter name').fill('only beta');
    await h.page.getByRole('button', { name: 'Save', exact: true }).click();
    await input.fill('');
    await input.press('Enter');
    await h.page.getByRole('button', { name: 'only beta', exact: true }).click();
    await waitUntil(async () => (await input.inputValue()) === `channel:${beta}`, { what: 'saved filter applied' });
    await input.fill('');
    await input.press('Enter');
  });

  it('filters by a value from any cell', async () => {
    const cell = (await h.row(alpha, 'greeting')).locator('.c-channel');
    await cell.click({ button: 'right' });
    await h.page.getByRole('menuitem', { name: /Filter by/ }).click();
    await waitUntil(async () => (await h.page.getByLabel('Filter', { exact: true }).inputValue()) === `channel:${alpha}`, { what: 'cell filter' });
    await waitUntil(async () => (await h.page.locator('.row[data-seq]', { hasText: beta }).filter({ hasText: 'delivery' }).count()) === 0, { what: 'beta hidden' });
    await h.shot('by-value');
  });
});
