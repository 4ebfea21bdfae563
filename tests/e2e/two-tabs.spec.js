// One rep with two tabs of Campo in one browser (one context = one device), and a
// second rep on another device. Only one tab syncs (the Web Lock "campo-sync");
// the other's edits reach the relay through it, and both tabs stay current.
import { test, expect } from '@playwright/test';
import { Relay, Rep } from './harness.js';

test.describe.configure({ mode: 'serial' });

let relay, anna, bruno, tab2;

/** WebSockets the pages of a context open, counted from the browser's side. */
function countSockets(context) {
  const open = new Map();
  const watch = (page) => page.on('websocket', (ws) => {
    open.set(ws, page);
    ws.on('close', () => open.delete(ws));
  });
  for (const p of context.pages()) watch(p);
  context.on('page', watch);
  // A closed page's sockets are gone with it (no close event is reported).
  return () => [...open].filter(([ws, page]) => !ws.isClosed() && !page.isClosed()).length;
}

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  bruno = await Rep.open(browser, relay, 'Bruno', 'acme', relay.token('acme', 'Bruno'));
  anna.sockets = countSockets(anna.context);
  await anna.signIn();
  await bruno.signIn();
  tab2 = await anna.context.newPage();
  tab2.errors = [];
  tab2.on('pageerror', (e) => tab2.errors.push(String(e)));
  await tab2.goto('/');
});

test.afterAll(async () => {
  await anna?.close();
  await bruno?.close();
  await relay?.stop();
});

const status = (page) => page.getByTestId('sync-status');

test('the second tab mirrors the syncing tab and opens no connection', async () => {
  await expect(status(tab2)).toHaveAttribute('data-state', 'synced');
  await tab2.getByTestId('nav-accounts').click();
  await expect(tab2.getByTestId('search')).toBeVisible();
  // Give a second socket every chance to appear.
  await tab2.waitForTimeout(1500);
  expect(anna.sockets()).toBe(1);
});

test('an edit in the second tab appears in the first without reload and reaches the other rep', async () => {
  await anna.create({ name: 'Trattoria Due Torri', city: 'Bologna' });
  await expect(status(anna.page)).toHaveAttribute('data-state', 'synced');
  // The first tab's new customer shows in the second tab's list.
  await expect(tab2.getByTestId('record-row').filter({ hasText: 'Trattoria Due Torri' })).toBeVisible();
  await anna.open('Trattoria Due Torri');

  await tab2.getByTestId('search').fill('Trattoria');
  await tab2.getByTestId('record-row').filter({ hasText: 'Trattoria Due Torri' }).first().click();
  await tab2.getByTestId('field-phone').fill('+39 051 123456');
  await tab2.getByTestId('save-record').click();
  await expect(tab2.locator('[data-testid^="error-"]')).toHaveCount(0);

  // The open form in tab 1 follows (the rep has not touched it).
  await expect(anna.page.getByTestId('field-phone')).toHaveValue('+39 051 123456');
  await expect(status(anna.page)).toHaveAttribute('data-state', 'synced');
  await expect(status(tab2)).toHaveAttribute('data-state', 'synced');

  await bruno.open('Trattoria Due Torri');
  await expect(bruno.page.getByTestId('field-phone')).toHaveValue('+39 051 123456');
  await expect(bruno.page.getByTestId('field-city')).toHaveValue('Bologna');
  // A remote edit shows in both tabs.
  await bruno.fill({ email: 'info@duetorri.it' });
  await bruno.save();
  await expect(anna.page.getByTestId('field-email')).toHaveValue('info@duetorri.it');
  await expect(tab2.getByTestId('field-email')).toHaveValue('info@duetorri.it');
  expect(anna.sockets()).toBe(1);
});

test('closing the syncing tab lets the other take over', async () => {
  await anna.page.close();
  await expect(status(tab2)).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
  await expect.poll(() => anna.sockets()).toBe(1);
  await tab2.getByTestId('field-city').fill('Casalecchio');
  await tab2.getByTestId('save-record').click();
  await expect(tab2.locator('[data-testid^="error-"]')).toHaveCount(0);
  await expect(status(tab2)).toHaveAttribute('data-state', 'synced');
  await bruno.open('Trattoria Due Torri');
  await expect(bruno.page.getByTestId('field-city')).toHaveValue('Casalecchio');
  expect(anna.errors).toEqual([]);
  expect(tab2.errors).toEqual([]);
  expect(bruno.errors).toEqual([]);
});
