// Item 7, sessions: list, rename, export (NDJSON and HAR downloads), import through the
// file picker, open a past session, delete.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import { harness, uniq } from '../support/harness.mjs';
import { sdk } from '../support/clients.mjs';

const h = harness('sessions');
const channel = uniq('recorded');

describe('sessions', () => {
  let exported;

  it('renames the current session and exports it', async () => {
    await sdk(h.server).trigger(channel, 'kept', { a: 1 });
    await h.row('HTTP API', channel);
    await h.open('sessions');
    const row = h.page.locator('tbody tr').first();
    await row.getByRole('button', { name: 'Rename' }).click();
    await h.page.getByLabel('Session name').fill('checkout bug');
    await h.page.getByRole('button', { name: 'Save' }).click();
    await h.page.locator('tbody tr', { hasText: 'checkout bug' }).waitFor();
    const [ndjson] = await Promise.all([h.page.waitForEvent('download'), row.getByRole('button', { name: 'Export NDJSON' }).click()]);
    exported = await ndjson.path();
    const lines = fs.readFileSync(exported, 'utf8').trim().split('\n');
    assert.ok(lines.length >= 2, 'a header and records');
    assert.ok(lines.some((l) => l.includes(channel)));
    const [har] = await Promise.all([h.page.waitForEvent('download'), row.getByRole('button', { name: 'Export HAR' }).click()]);
    const doc = JSON.parse(fs.readFileSync(await har.path(), 'utf8'));
    assert.equal(doc.log.version, '1.2');
    await h.shot('list');
  });

  it('imports an export, opens it and deletes it', async () => {
    const [chooser] = await Promise.all([h.page.waitForEvent('filechooser'), h.page.getByRole('button', { name: 'Import…' }).click()]);
    const copy = `${exported}.ndjson`;
    fs.copyFileSync(exported, copy);
    await chooser.setFiles(copy);
    await h.page.locator('.toast', { hasText: 'Imported' }).waitFor();
    const imported = h.page.locator('tbody tr').filter({ hasNotText: 'recording' }).last();
    await imported.getByRole('button', { name: 'Open' }).click();
    await h.page.getByText(/Session “/).waitFor();
    await h.row(channel);
    await h.shot('opened');
    await h.page.getByRole('button', { name: 'Back to live' }).click();
    await h.open('sessions');
    const count = await h.page.locator('tbody tr').count();
    const last = h.page.locator('tbody tr').filter({ hasNotText: 'recording' }).last();
    await last.getByRole('button', { name: 'Delete' }).click();
    await last.getByRole('button', { name: 'Delete for good' }).click();
    await h.page.waitForFunction((n) => document.querySelectorAll('tbody tr').length === n - 1, count);
  });
});
