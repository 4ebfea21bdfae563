// The dashboard and an account's insights, over a small book entered through the
// UI: two products, four accounts, orders (one account has bought twice, a month
// apart) and a visit. Then the dashboard shows the revenue in Italian money
// format, the RFM segment bars lead to the filtered accounts list, and each
// account's page explains its figures.
//
// The book, all dated by the device's clock (the dashboard's period is the 90 days
// ending today):
//   Bar Sport          30 days ago: 10 × Caffè Arabica (12,50)          = 125,00
//                      today:        4 × Caffè + 10 × Zucchero (3,00)   =  80,00
//                      today:        a visit
//   Caffè Centrale     today:        2 × Caffè +  5 × Zucchero          =  40,00
//   Pasticceria Dolce  today:        6 × Caffè                          =  75,00
//   Enoteca Vuota      no orders
// Revenue in the period: 320,00 €.
import { test, expect } from '@playwright/test';
import { Relay, Rep } from './harness.js';

test.describe.configure({ mode: 'serial' });

let relay, rep;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  rep = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  await rep.signIn();
});

test.afterAll(async () => {
  await rep?.close();
  await relay?.stop();
});

/** `YYYY-MM-DD` of today plus `days`, in the device's time zone (as the app reads it). */
function isoDay(days) {
  const d = new Date();
  d.setDate(d.getDate() + days);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Italian date of today plus `days`: `05/12/2026`. */
function italianDay(days) {
  const [y, m, d] = isoDay(days).split('-');
  return `${d}/${m}/${y}`;
}

/** Creates a record from its list's "new" button; ends on the new record's page. */
async function createRecord(page, nav, kind, fields) {
  await page.getByTestId(`nav-${nav}`).click();
  await page.getByTestId(`new-${kind}`).click();
  for (const [key, value] of Object.entries(fields)) {
    await page.getByTestId(`field-${key}`).fill(value);
  }
  await page.getByTestId('save-record').click();
  await expect(page).toHaveURL(new RegExp(`#/${nav}/[0-9a-f]{32}$`));
}

/** Enters an order on the open account's page: lines of [product name, quantity]. */
async function addOrder(page, lines, date) {
  await page.getByTestId('new-order').click();
  const form = page.getByTestId('order-form');
  if (date) await form.getByTestId('order-date').fill(date);
  for (const [i, [product, quantity]] of lines.entries()) {
    if (i > 0) await form.getByTestId('add-line').click();
    const line = form.getByTestId('line-edit').nth(i);
    await line.getByTestId('line-product').fill(product.split(' ')[0]);
    await line.getByTestId('ref-match').filter({ hasText: product }).first().click();
    await line.getByTestId('line-quantity').fill(String(quantity));
  }
  await form.getByTestId('save-order').click();
  await expect(page.getByTestId('order-form')).toHaveCount(0);
}

test('a small book is entered through the UI, in Italian', async () => {
  const page = rep.page;
  await rep.toList();
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'it');

  await createRecord(page, 'products', 'product', { code: 'CAF1', name: 'Caffè Arabica', category: 'Caffè', unit_price: '12,50' });
  await createRecord(page, 'products', 'product', { code: 'ZUC1', name: 'Zucchero di canna', category: 'Dolci', unit_price: '3,00' });

  await createRecord(page, 'accounts', 'account', { name: 'Bar Sport' });
  await addOrder(page, [['Caffè Arabica', 10]], isoDay(-30));
  await addOrder(page, [['Caffè Arabica', 4], ['Zucchero di canna', 10]]);
  await expect(page.getByTestId('order-row')).toHaveCount(2);
  await page.getByTestId('log-visit').click();
  await page.getByTestId('add-interaction').click();
  await expect(page.getByTestId('interaction-row')).toHaveCount(1);

  await createRecord(page, 'accounts', 'account', { name: 'Caffè Centrale' });
  await addOrder(page, [['Caffè Arabica', 2], ['Zucchero di canna', 5]]);
  await createRecord(page, 'accounts', 'account', { name: 'Pasticceria Dolce' });
  await addOrder(page, [['Caffè Arabica', 6]]);
  await createRecord(page, 'accounts', 'account', { name: 'Enoteca Vuota' });
  await expect(rep.status()).toHaveAttribute('data-state', 'synced');
});

test('the dashboard shows the period\'s revenue in Italian money format', async () => {
  const page = rep.page;
  await page.getByTestId('nav-dashboard').click();
  await expect(page.getByTestId('dashboard')).toBeVisible();
  await expect(page.getByTestId('stat-revenue-value')).toHaveText('320,00 €');
  // Nothing was sold in the 90 days before: growth from nothing reads as "new".
  await expect(page.getByTestId('stat-revenue-trend')).toContainText('nuovo');
  await expect(page.getByTestId('dash-period')).toContainText(`Ultimi 90 giorni: ${italianDay(-89)} – ${italianDay(0)}`);

  // Twelve months of revenue, each with a bar, and the same figures for screen readers.
  await expect(page.getByTestId('revenue-bar')).toHaveCount(12);
  await expect(page.getByTestId('chart-revenue').locator('svg[role=img] title')).toHaveText('Fatturato per mese');
  await expect(page.getByTestId('chart-revenue').locator('table.sr-only tbody tr')).toHaveCount(12);

  // The top 20% of the three accounts with revenue is one: Bar Sport, 205 of 320.
  await expect(page.getByTestId('pareto-callout')).toContainText('1 cliente');
  await expect(page.getByTestId('pareto-callout')).toContainText('64,1%');
  await expect(page.getByTestId('top-account-row').first()).toContainText('Bar Sport');
  await expect(page.getByTestId('top-account-row').first()).toContainText('205,00 €');
  await expect(page.getByTestId('top-product-row').first()).toContainText('Caffè Arabica');
  await expect(page.getByTestId('top-category-row')).toHaveCount(2);
  await expect(page.getByTestId('rep-row')).toHaveCount(1);
  await expect(page.getByTestId('rep-row')).toContainText('Anna');
  expect(rep.errors).toEqual([]);
});

test('the segment chart has bars and a bar opens the accounts list filtered to it', async () => {
  const page = rep.page;
  await page.getByTestId('nav-dashboard').click();
  const bars = page.getByTestId('segment-bar');
  await expect(bars.first()).toBeVisible();
  // Every account is in one segment: the bars add up to the four accounts.
  const figures = await bars.locator('.hbar-figure').allInnerTexts();
  const counts = figures.map((f) => Number.parseInt(f, 10));
  expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
  await expect(bars.filter({ hasText: 'Senza ordini' })).toContainText('1 cliente');

  // The two accounts that bought once, today, share a segment.
  const pair = bars.filter({ hasText: '2 clienti' });
  await expect(pair).toHaveCount(1);
  const key = await pair.getAttribute('data-key');
  await pair.click();
  await expect(page).toHaveURL(/#\/accounts$/);
  await expect(page.getByTestId('filter-segment')).toHaveValue(key);
  const rows = page.getByTestId('record-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'Caffè Centrale' })).toHaveCount(1);
  await expect(rows.filter({ hasText: 'Pasticceria Dolce' })).toHaveCount(1);

  // The list's segment filter can be cleared like any other.
  await page.getByTestId('filter-segment').selectOption('');
  await expect(rows).toHaveCount(4);
});

test('the pipeline link opens the deals list sorted by due date', async () => {
  const page = rep.page;
  await page.getByTestId('nav-dashboard').click();
  await page.getByTestId('pipeline-deals').click();
  await expect(page).toHaveURL(/#\/deals$/);
  await expect(page.getByTestId('sort')).toHaveValue('due');
});

test('an account\'s page explains its figures in the insights card', async () => {
  const page = rep.page;
  await rep.open('Bar Sport');
  const card = page.getByTestId('insights');
  await expect(card).toBeVisible();
  // Two purchase days against one for everyone else, all today: loyal.
  await expect(card.getByTestId('insight-segment-link')).toHaveAttribute('data-segment', 'loyal');
  await expect(card.getByTestId('insight-segment-link')).toHaveText('Fedeli');
  await expect(card.getByTestId('insight-scores')).toHaveText(/^R [1-5] · F 5 · M [1-5]$/);
  await expect(card.getByTestId('insight-contribution')).toContainText('64,1% del fatturato del team (205,00 € su 320,00 €)');
  // Orders 30 days apart: the next is due in 30 days.
  await expect(card.getByTestId('insight-reorder')).toContainText('Riordina di solito ogni 30 giorni');
  await expect(card.getByTestId('insight-next-order')).toHaveText(`Prossimo ordine atteso il ${italianDay(30)}`);
  // The visit was followed by an order the same day.
  await expect(card.getByTestId('insight-channel-summary')).toHaveText('Preferisce le visite; le visite convertono meglio');
  await expect(card.getByTestId('insight-health-part')).toHaveCount(4);
  await expect(card.getByTestId('insight-health-score')).toContainText('/100');

  // The segment link leads to the accounts of that segment.
  await card.getByTestId('insight-segment-link').click();
  await expect(page.getByTestId('filter-segment')).toHaveValue('loyal');
  await expect(page.getByTestId('record-row')).toHaveCount(1);
  await page.getByTestId('filter-segment').selectOption('');
});

test('cross-selling suggests what similar accounts bought, with the reason', async () => {
  const page = rep.page;
  await rep.open('Pasticceria Dolce');
  const suggestion = page.getByTestId('insights').getByTestId('insight-suggestion');
  await expect(suggestion).toHaveCount(1);
  await expect(suggestion).toContainText('Zucchero di canna');
  await expect(suggestion).toContainText('comprato con Caffè Arabica: confidenza 66,7%, lift 1,0');

  await rep.open('Enoteca Vuota');
  const card = page.getByTestId('insights');
  await expect(card.getByTestId('insight-segment')).toContainText('Senza ordini');
  await expect(card.getByTestId('insight-channels')).toContainText('Nessun contatto registrato.');
  expect(rep.errors).toEqual([]);
});
