// Two reps of one team, each on their own device, against one real relay.
// The scenario of the spine: create → appears at the other; both offline editing
// different fields → both edits survive; both offline editing the same field →
// both converge and the conflict is shown; the pick resolves it everywhere.
import { test, expect } from '@playwright/test';
import { Relay, Rep } from './harness.js';

test.describe.configure({ mode: 'serial' });

let relay, anna, bruno;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  bruno = await Rep.open(browser, relay, 'Bruno', 'acme', relay.token('acme', 'Bruno'));
  await anna.signIn();
  await bruno.signIn();
});

test.afterAll(async () => {
  await anna?.close();
  await bruno?.close();
  await relay?.stop();
});

test('a customer created by one rep appears at the other', async () => {
  await anna.create({ name: 'Bar Roma', company: 'Roma srl', phone: '+39 02 111111', city: 'Milano' });
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
  await bruno.toList();
  await expect(bruno.page.getByTestId('record-row').filter({ hasText: 'Bar Roma' })).toBeVisible();
  await bruno.open('Bar Roma');
  await expect(bruno.page.getByTestId('field-phone')).toHaveValue('+39 02 111111');
});

test('offline edits to different fields of one customer both survive', async () => {
  await anna.open('Bar Roma');
  await bruno.open('Bar Roma');
  await anna.offline();
  await bruno.offline();

  await anna.fill({ phone: '+39 02 222222' });
  await anna.save();
  await bruno.fill({ email: 'info@barroma.it' });
  await bruno.save();
  await expect(anna.status()).toContainText('1');

  await anna.online();
  await bruno.online();
  for (const rep of [anna, bruno]) {
    await rep.open('Bar Roma');
    await expect(rep.page.getByTestId('field-phone')).toHaveValue('+39 02 222222');
    await expect(rep.page.getByTestId('field-email')).toHaveValue('info@barroma.it');
  }
});

test('offline edits to the same field converge and show the conflict', async () => {
  await anna.offline();
  await bruno.offline();
  await anna.open('Bar Roma');
  await anna.fill({ city: 'Monza' });
  await anna.save();
  await bruno.open('Bar Roma');
  await bruno.fill({ city: 'Bergamo' });
  await bruno.save();

  await anna.online();
  await bruno.online();
  const shown = [];
  for (const rep of [anna, bruno]) {
    await rep.open('Bar Roma');
    const conflict = rep.page.getByTestId('conflict-city');
    await expect(conflict).toBeVisible();
    await expect(conflict).toContainText('Monza');
    await expect(conflict).toContainText('Bergamo');
    shown.push(await rep.page.getByTestId('field-city').inputValue());
  }
  expect(shown[0]).toBe(shown[1]);
  expect(['Monza', 'Bergamo']).toContain(shown[0]);

  // Anna keeps Bergamo; the conflict is gone on both devices.
  await anna.page.getByTestId('conflict-city').getByTestId('conflict-pick').filter({ hasText: 'Bergamo' }).click();
  await expect(anna.page.getByTestId('conflict-city')).toHaveCount(0);
  await expect(anna.page.getByTestId('field-city')).toHaveValue('Bergamo');
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
  await bruno.open('Bar Roma');
  await expect(bruno.page.getByTestId('conflict-city')).toHaveCount(0);
  await expect(bruno.page.getByTestId('field-city')).toHaveValue('Bergamo');
});

test('an interaction logged by one rep reaches the other', async () => {
  await anna.open('Bar Roma');
  // Three taps: the channel, how it went, log it (the summary is optional).
  await anna.page.getByTestId('log-visit').click();
  await anna.page.getByTestId('interaction-date').fill('2026-11-20');
  await anna.page.getByTestId('interaction-summary').fill('Presentato il nuovo listino');
  await anna.page.getByTestId('interaction-next-step').fill('Ordine a dicembre');
  await anna.page.getByTestId('rating-positive').click();
  await anna.page.getByTestId('add-interaction').click();
  await expect(anna.page.getByTestId('interaction-row')).toContainText('Presentato il nuovo listino');
  await bruno.open('Bar Roma');
  await expect(bruno.page.getByTestId('interaction-row')).toContainText('Presentato il nuovo listino');
  expect(anna.errors).toEqual([]);
  expect(bruno.errors).toEqual([]);
});
