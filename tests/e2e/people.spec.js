// An account with its people: a person is added from the account's page, shows on
// it, links back to it, and moves to another account with the move in its history.
import { test, expect } from '@playwright/test';
import { Relay, Rep } from './harness.js';

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

test('a person added from an account shows on it and can move to another account', async () => {
  const page = anna.page;
  await anna.create({ name: 'Osteria del Ponte', city: 'Verona' });
  await anna.create({ name: 'Caffè Garibaldi', city: 'Padova' });
  await anna.open('Osteria del Ponte');

  await page.getByTestId('add-person').click();
  await page.getByTestId('field-name').fill('Giulia Bianchi');
  await page.getByTestId('field-role').fill('Titolare');
  await page.getByTestId('field-mobile').fill('+39 333 1234567');
  // The new person is already linked to the account it was started from.
  await expect(page.getByTestId('field-account')).toHaveValue('Osteria del Ponte');
  await page.getByTestId('save-record').click();
  await expect(page.locator('[data-testid^="error-"]')).toHaveCount(0);
  await expect(page.getByTestId('last-edit')).toBeVisible();

  await anna.open('Osteria del Ponte');
  const people = page.getByTestId('related-person');
  await expect(people.getByTestId('related-row')).toContainText('Giulia Bianchi');

  // Move her to the other account: pick it by typing part of its name.
  await people.getByTestId('related-row').filter({ hasText: 'Giulia Bianchi' }).click();
  await page.getByTestId('field-account').fill('garib');
  await page.getByTestId('ref-match').filter({ hasText: 'Caffè Garibaldi' }).click();
  await page.getByTestId('save-record').click();
  await expect(page.getByTestId('form-notice')).toBeVisible();
  await expect(page.getByTestId('history-entry').first()).toContainText('Anna');

  await anna.open('Caffè Garibaldi');
  await expect(page.getByTestId('related-person').getByTestId('related-row')).toContainText('Giulia Bianchi');
  await anna.open('Osteria del Ponte');
  await expect(page.getByTestId('related-person').getByTestId('related-row')).toHaveCount(0);
  expect(anna.errors).toEqual([]);
});
