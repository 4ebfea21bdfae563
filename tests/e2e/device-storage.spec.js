// The device's storage: the notice when the browser does not promise to keep
// offline data. (A full disk is not simulated here: the DevTools quota override
// did not limit IndexedDB in this Chromium.)
import { test, expect } from '@playwright/test';
import { Relay, Rep } from './harness.js';

test.describe.configure({ mode: 'serial' });

let relay, anna;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  await anna.signIn();
});

test.afterAll(async () => {
  await anna?.close();
  await relay?.stop();
});

test('the notice about offline data can be dismissed for good', async () => {
  const persisted = await anna.page.evaluate(() => navigator.storage.persisted());
  const notice = anna.page.getByTestId('persist-notice');
  if (persisted) {
    await expect(notice).toHaveCount(0);
    return;
  }
  await expect(notice).toBeVisible();
  await anna.page.getByTestId('persist-dismiss').click();
  await expect(notice).toHaveCount(0);
  await anna.page.reload();
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
  await expect(notice).toHaveCount(0);
});
