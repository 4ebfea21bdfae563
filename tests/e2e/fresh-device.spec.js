// A fresh device joins a team whose book the relay has folded into a snapshot:
// it downloads the book in one response, stores it in packs, shows every
// record, keeps it across a reload, and its edits reach another fresh device.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Relay, Rep, adminToken } from './harness.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const benchBin = process.env.CAMPO_BENCH || join(root, 'target/release/campo-bench');
const TEAM = 'north';
const ACCOUNTS = 120;

let relay;
let token;

test.beforeAll(async () => {
  relay = await Relay.start();
  token = adminToken(relay, TEAM, 'Anna');
  execFileSync(benchBin, ['seed', '--url', `ws://127.0.0.1:${relay.port}/ws`, '--team', TEAM,
    '--token', token, '--accounts', String(ACCOUNTS), '--seed', '7'], { stdio: 'pipe' });
  // The compactor folds the log into a snapshot in the background.
  await expect.poll(async () => (await fetch(`http://127.0.0.1:${relay.port}/api/teams/${TEAM}/snapshot`, {
    headers: { Authorization: `Bearer ${token}` },
  })).status, { timeout: 60_000 }).toBe(200);
});

test.afterAll(async () => { await relay.stop(); });

async function signIn(rep) {
  await rep.page.goto('/');
  await rep.page.getByTestId('signin-team').fill(TEAM);
  await rep.page.getByTestId('signin-token').fill(rep.token);
  await rep.page.getByTestId('signin-submit').click();
  await expect(rep.status()).toHaveAttribute('data-state', 'synced', { timeout: 60_000 });
}

test('a fresh device stores the snapshot and shows the whole book, also after a reload', async ({ browser }) => {
  const anna = await Rep.open(browser, relay, 'Anna', TEAM, token);
  const snapshots = [];
  anna.page.on('response', (r) => { if (r.url().includes('/snapshot')) snapshots.push(r.status()); });
  await signIn(anna);
  expect(snapshots).toEqual([200]);
  await anna.toList();
  await expect(anna.page.getByTestId('list-count')).toHaveText(`${ACCOUNTS} accounts`);

  // The book sits in packs; no document was stored one by one.
  const stored = await anna.page.evaluate(() => new Promise((ok, fail) => {
    const open = indexedDB.open('campo');
    open.onerror = fail;
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(['packs', 'pack_summaries', 'docs']);
      const count = (name) => new Promise((done) => { const r = tx.objectStore(name).count(); r.onsuccess = () => done(r.result); });
      Promise.all([count('packs'), count('pack_summaries'), count('docs')]).then(([packs, summaries, docs]) => {
        db.close();
        ok({ packs, summaries, docs });
      });
    };
  }));
  expect(stored.packs).toBeGreaterThan(0);
  expect(stored.summaries).toBe(stored.packs);

  // A record opens from its pack, with its interactions and orders.
  const first = anna.page.getByTestId('record-row').first();
  const name = (await first.locator('.row-title').textContent()).trim();
  await first.click();
  await expect(anna.page.getByTestId('field-name')).toHaveValue(name);

  // A reload reads the book from the packs: same count, no second download.
  await anna.page.reload();
  await anna.toList();
  await expect(anna.page.getByTestId('list-count')).toHaveText(`${ACCOUNTS} accounts`);
  expect(snapshots).toEqual([200]);

  // An edit on the snapshot's copy of a record reaches another fresh device.
  await anna.open(name);
  await anna.fill({ city: 'Lecce' });
  await anna.save();
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
  const bruno = await Rep.open(browser, relay, 'Bruno', TEAM, token);
  await signIn(bruno);
  await bruno.open(name);
  await expect(bruno.page.getByTestId('field-city')).toHaveValue('Lecce');
  expect(anna.errors).toEqual([]);
  expect(bruno.errors).toEqual([]);
  await anna.close();
  await bruno.close();
});

test('a token of another team gets no snapshot and the sign-in says why', async ({ browser }) => {
  const other = execFileSync(join(root, 'target/release/campo-relay'),
    ['token', 'create', '--team', 'south', '--rep', 'Zoe', '--data', relay.data]).toString().trim();
  const zoe = await Rep.open(browser, relay, 'Zoe', TEAM, other);
  await zoe.page.goto('/');
  await zoe.page.getByTestId('signin-team').fill(TEAM);
  await zoe.page.getByTestId('signin-token').fill(other);
  await zoe.page.getByTestId('signin-submit').click();
  await expect(zoe.page.getByTestId('signin-submit')).toBeVisible();
  await expect(zoe.page.getByTestId('signin-error')).toBeVisible();
  await zoe.close();
});
