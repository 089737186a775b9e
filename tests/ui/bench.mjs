// UI benchmark: loads 100,000 records into the timeline of the real server's UI and
// prints the time to first paint, the time to apply a filter, and the frame rate while
// 2,000 events/s arrive (synthetic, client-side) and while real traffic streams in
// through the server (the pusher SDK's batch trigger). Figures go to docs/benchmarks.md.
//
//   node bench.mjs            (needs target/debug/switchboard and Chromium; SWITCHBOARD_UI_DIST
//                              as in support/devProxy.mjs to bench a fresh ui/dist)
import { startServer } from '../support/server.mjs';
import { sleep } from '../support/util.mjs';
import { launch } from './support/browser.mjs';
import { client, connected, disconnectAll, sdk, subscribed } from './support/clients.mjs';
import { startDevProxy } from './support/devProxy.mjs';

const RECORDS = 100_000;
const RATE = 2_000;
const SECONDS = 10;

const fmt = (n, unit) => `${n.toFixed(1)} ${unit}`;

async function realTraffic(server, perSecond, seconds, channel) {
  const api = sdk(server);
  const batches = perSecond / 10 / 10; // 10 events per batch call, 10 ticks a second
  const end = Date.now() + seconds * 1000;
  let sent = 0;
  while (Date.now() < end) {
    const tick = Date.now();
    const calls = [];
    for (let b = 0; b < batches; b++) {
      const batch = Array.from({ length: 10 }, (_, i) => ({ channel, name: 'bench', data: JSON.stringify({ n: sent + i }) }));
      sent += 10;
      calls.push(api.triggerBatch(batch).catch(() => undefined));
    }
    await Promise.all(calls);
    await sleep(Math.max(0, 100 - (Date.now() - tick)));
  }
  return sent;
}

const server = await startServer({ name: 'ui-bench' });
const proxy = process.env.SWITCHBOARD_UI_DIST ? await startDevProxy(process.env.SWITCHBOARD_UI_DIST, server) : null;
const browser = await launch();
const { page } = browser;
try {
  await page.goto(`${proxy?.url ?? server.httpUrl}/?bench=1#/timeline`);
  await page.waitForFunction(() => window.__switchboardBench !== undefined);

  const paintMs = await page.evaluate((n) => window.__switchboardBench.load(n), RECORDS);
  const rows = await page.evaluate(() => window.__switchboardBench.rows());

  const filterStart = Date.now();
  await page.getByLabel('Show pings').check();
  await page.waitForFunction((n) => window.__switchboardBench.rows() > n, rows);
  const localFilterMs = Date.now() - filterStart;
  await page.getByLabel('Show pings').uncheck();

  const idle = await page.evaluate(() => window.__switchboardBench.fps(2000));
  const synthetic = await page.evaluate(([rate, ms]) => window.__switchboardBench.stream(rate, ms), [RATE, SECONDS * 1000]);

  // Real traffic: the server records it and streams it to the page in ~50 ms batches.
  // One subscriber, so each event is also a delivery record (as in a real app).
  await subscribed(await connected(client(server)), 'bench-live');
  const seenBefore = await page.evaluate(() => window.__switchboardBench.seen());
  const fpsPromise = page.evaluate((ms) => window.__switchboardBench.fps(ms), SECONDS * 1000);
  const sent = await realTraffic(server, RATE, SECONDS, 'bench-live');
  const live = await fpsPromise;
  await sleep(500);
  const streamed = (await page.evaluate(() => window.__switchboardBench.seen())) - seenBefore;

  // A server-side filter over what the server holds, until its rows are painted.
  const t0 = Date.now();
  await page.getByLabel('Filter', { exact: true }).fill('channel:bench-live data.n < 100');
  await page.getByLabel('Filter', { exact: true }).press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('.row[data-seq]').length > 0 && window.__switchboardBench.rows() <= 400);
  const serverFilterMs = Date.now() - t0;

  console.log(`records loaded:                 ${RECORDS.toLocaleString('en-US')} (${rows.toLocaleString('en-US')} shown, pings hidden)`);
  console.log(`time to first paint:            ${fmt(paintMs, 'ms')}`);
  console.log(`time to re-filter locally:      ${fmt(localFilterMs, 'ms')} (show pings over 100k records)`);
  console.log(`time to apply a server filter:  ${fmt(serverFilterMs, 'ms')} (typed filter → rows painted)`);
  console.log(`frame rate, idle:               ${fmt(idle.fps, 'fps')} (worst frame ${fmt(idle.worstFrameMs, 'ms')})`);
  console.log(`frame rate, ${RATE}/s synthetic:  ${fmt(synthetic.fps, 'fps')} (worst frame ${fmt(synthetic.worstFrameMs, 'ms')}, ${synthetic.rows.toLocaleString('en-US')} rows)`);
  console.log(`frame rate, real stream:        ${fmt(live.fps, 'fps')} (worst frame ${fmt(live.worstFrameMs, 'ms')}, ${sent} events sent in ${SECONDS} s, ${streamed.toLocaleString('en-US')} records streamed to the page)`);
  if (browser.errors.length) console.log('page errors:', browser.errors);
} finally {
  disconnectAll();
  await browser.close();
  await proxy?.close();
  await server.stop();
}
