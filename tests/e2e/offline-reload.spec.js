// A rep closes the tab, loses the network and reopens Campo: the app shell comes
// from the service worker, the records from IndexedDB, and edits made offline
// survive reloads and reach the team once the network is back.
import { test, expect } from '@playwright/test';
import { Relay, Rep } from './harness.js';

let relay, anna, bruno;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  bruno = await Rep.open(browser, relay, 'Bruno', 'acme', relay.token('acme', 'Bruno'));
});

test.afterAll(async () => {
  await anna?.close();
  await bruno?.close();
  await relay?.stop();
});

test('reload while offline keeps everything, and offline edits sync later', async () => {
  await anna.signIn();
  await anna.create({ name: 'Trattoria Da Gino', phone: '+39 051 123456', tags: 'horeca, vip' });
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
  // Let the service worker finish installing so the shell is cached.
  await anna.page.waitForFunction(() => navigator.serviceWorker?.controller != null || navigator.serviceWorker?.ready);
  await anna.page.evaluate(() => navigator.serviceWorker.ready);

  await anna.offline();
  await anna.page.reload();
  // The open customer is in the URL, so the reload reopens it; the list is one tap away.
  await expect(anna.page.getByTestId('field-name')).toHaveValue('Trattoria Da Gino');
  await anna.toList();
  await expect(anna.page.getByTestId('record-row').filter({ hasText: 'Trattoria Da Gino' })).toBeVisible();
  await expect(anna.status()).toHaveAttribute('data-state', 'offline');

  // The pages split into their own wasm modules (dashboard, data, admin) load
  // from the service worker's cache: this page load never fetched them online.
  await anna.page.getByTestId('nav-dashboard').click();
  await expect(anna.page.getByTestId('dashboard')).toBeVisible();
  await anna.page.getByTestId('nav-data').click();
  await expect(anna.page.getByTestId('export-section')).toBeVisible();
  await expect(anna.page.getByTestId('page-load-failed')).toHaveCount(0);

  await anna.open('Trattoria Da Gino');
  await expect(anna.page.getByTestId('field-tags')).toHaveValue(/horeca/);
  await anna.fill({ industry: 'Ristorazione' });
  await anna.save();
  await anna.page.reload();
  await anna.open('Trattoria Da Gino');
  await expect(anna.page.getByTestId('field-industry')).toHaveValue('Ristorazione');
  await expect(anna.status()).toContainText('1');

  await anna.online();
  await bruno.signIn();
  await bruno.open('Trattoria Da Gino');
  await expect(bruno.page.getByTestId('field-industry')).toHaveValue('Ristorazione');
  expect(anna.errors).toEqual([]);
});
