// Team administration from the app: an admin (made on the command line, as the
// first admin of a team is) opens the Team page, shows the team's tokens with
// their admin token, creates a token for a new rep, Bruno, who signs in with it
// on his own device; the admin revokes it and Bruno's open session is refused.
// A rep's token or a wrong one gets a plain message, not the list.
import { test, expect } from '@playwright/test';
import { Relay, Rep, adminToken } from './harness.js';

test.describe.configure({ mode: 'serial' });

let relay, boss, bruno;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  boss = await Rep.open(browser, relay, 'Boss', 'acme', adminToken(relay, 'acme', 'Boss'));
  await boss.signIn();
});

test.afterAll(async () => {
  await boss?.close();
  await bruno?.close();
  await relay?.stop();
});

const row = (page, rep) => page.locator(`[data-testid="token-row"][data-rep="${rep}"]`);

/** Opens the Team page and shows the tokens with `token` as the admin token. */
async function showTokens(page, token) {
  await page.getByTestId('nav-admin').click();
  await page.getByTestId('admin-token').fill(token);
  await page.getByTestId('tokens-load').click();
}

test('an admin creates a token for a new rep, who signs in with it', async ({ browser }) => {
  const page = boss.page;
  await showTokens(page, boss.token);
  await expect(row(page, 'Boss')).toHaveAttribute('data-state', 'active');
  await expect(row(page, 'Boss').getByTestId('token-role')).toHaveText('Admin');

  await page.getByTestId('token-rep').fill('Bruno');
  await page.getByTestId('token-create').click();
  const shown = page.getByTestId('new-token');
  await expect(shown).toHaveValue(/^campo_[A-Za-z0-9_-]{43}$/);
  await expect(shown).toHaveAttribute('readonly', '');
  const token = await shown.inputValue();

  // Bruno is listed as an active rep; the table never shows a token.
  await expect(row(page, 'Bruno')).toHaveAttribute('data-state', 'active');
  await expect(row(page, 'Bruno').getByTestId('token-role')).toHaveText('Rep');
  await expect(page.getByTestId('tokens-table')).not.toContainText(token.slice('campo_'.length, 20));

  // Once acknowledged, the token is gone from the page.
  await page.getByTestId('token-created-done').click();
  await expect(page.getByTestId('new-token')).toHaveCount(0);

  bruno = await Rep.open(browser, relay, 'Bruno', 'acme', token);
  await bruno.signIn();
});

test('revoking the rep refuses his open session', async () => {
  const page = boss.page;
  page.once('dialog', (dialog) => dialog.accept());
  await row(page, 'Bruno').getByTestId('token-revoke').click();
  await expect(page.getByTestId('tokens-revoked')).toContainText('Bruno');
  await expect(row(page, 'Bruno')).toHaveAttribute('data-state', 'revoked');
  await expect(row(page, 'Bruno').getByTestId('token-revoke')).toHaveCount(0);

  // The relay re-checks open sessions' tokens every 5 s.
  await expect(bruno.status()).toHaveAttribute('data-state', 'refused', { timeout: 20_000 });
  await expect(bruno.page.getByRole('alert').filter({ hasText: /not valid/i })).toBeVisible();

  // The admin is still signed in and syncing.
  await expect(boss.status()).toHaveAttribute('data-state', 'synced');
});

test('a dismissed revoke changes nothing', async () => {
  const page = boss.page;
  await page.getByTestId('token-rep').fill('Carla');
  await page.getByTestId('token-create').click();
  await expect(row(page, 'Carla')).toHaveAttribute('data-state', 'active');
  page.once('dialog', (dialog) => dialog.dismiss());
  await row(page, 'Carla').getByTestId('token-revoke').click();
  await page.getByTestId('tokens-load').click();
  await expect(row(page, 'Carla')).toHaveAttribute('data-state', 'active');
});

test('a rep\'s token or a wrong one gets a plain message and no list', async () => {
  const page = boss.page;
  await page.getByTestId('tokens-close').click();
  await expect(page.getByTestId('tokens-table')).toHaveCount(0);
  await expect(page.getByTestId('admin-token')).toHaveValue('');

  // Nothing typed yet.
  await page.getByTestId('tokens-load').click();
  await expect(page.getByTestId('tokens-error')).toHaveAttribute('data-failure', 'need-token');

  // A rep's token: signs in, but may not manage tokens.
  await showTokens(page, relay.token('acme', 'Dario'));
  await expect(page.getByTestId('tokens-error')).toHaveAttribute('data-failure', 'forbidden');
  await expect(page.getByTestId('tokens-error')).toContainText(/not a team admin/i);
  await expect(page.getByTestId('tokens-table')).toHaveCount(0);

  // Another team's admin.
  await showTokens(page, adminToken(relay, 'globex', 'Gina'));
  await expect(page.getByTestId('tokens-error')).toHaveAttribute('data-failure', 'forbidden');

  // Not a token at all.
  await showTokens(page, 'campo_not-a-real-token');
  await expect(page.getByTestId('tokens-error')).toHaveAttribute('data-failure', 'unauthorized');
  await expect(page.getByTestId('tokens-error')).toContainText(/not valid/i);
  await expect(page.getByTestId('tokens-table')).toHaveCount(0);

  // The admin token works again, and the admin token is not kept anywhere.
  await showTokens(page, boss.token);
  await expect(row(page, 'Boss')).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('tokens-error')).toHaveCount(0);
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  // The sign-in keeps the session's own token (the same text here); only count copies.
  const copies = stored.split(boss.token.slice('campo_'.length)).length - 1;
  expect(copies).toBeLessThanOrEqual(1);
});

test('offline, the page says the relay cannot be reached', async () => {
  const page = boss.page;
  await boss.offline();
  await page.getByTestId('tokens-load').click();
  await expect(page.getByTestId('tokens-error')).toHaveAttribute('data-failure', 'unreachable');
  await boss.online();
  await page.getByTestId('tokens-load').click();
  await expect(page.getByTestId('tokens-error')).toHaveCount(0);
  await expect(row(page, 'Boss')).toHaveAttribute('data-state', 'active');
});
