// Orders, end to end: a product in the catalogue, an account, an order of two
// lines (one discounted) whose total reads in Italian money, a negative quantity
// refused beside its line with nothing saved, and the order reaching a second
// rep's device (who reads it in English), with "who buys this" on the product.
import { test, expect } from '@playwright/test';
import { Relay, Rep } from './harness.js';

test.describe.configure({ mode: 'serial' });

let relay, anna, bruno;

const PRODUCT = { code: 'CAF-1KG', name: 'Caffè in grani 1 kg', unit_price: '18,90' };
const ACCOUNT = 'Bar Roma';

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  bruno = await Rep.open(browser, relay, 'Bruno', 'acme', relay.token('acme', 'Bruno'));
  await anna.signIn();
  await bruno.signIn();
  // Anna works in Italian; Bruno keeps his browser's English.
  await anna.page.getByTestId('lang-switch').click();
  await expect(anna.page.locator('html')).toHaveAttribute('lang', 'it');
});

test.afterAll(async () => {
  await anna?.close();
  await bruno?.close();
  await relay?.stop();
});

/** Creates a record from the list behind nav `section` and waits for its page. */
async function createRecord(rep, section, kind, fields) {
  const page = rep.page;
  await page.getByTestId(`nav-${section}`).click();
  await page.getByTestId(`new-${kind}`).click();
  for (const [key, value] of Object.entries(fields)) {
    await page.getByTestId(`field-${key}`).fill(value);
  }
  await page.getByTestId('save-record').click();
  await expect(page).toHaveURL(new RegExp(`#/${section}/[0-9a-f]{32}$`));
  await expect(page.getByTestId('field-name')).toHaveValue(fields.name);
}

/** Opens a record by searching its list. */
async function openRecord(rep, section, name) {
  const page = rep.page;
  await page.getByTestId(`nav-${section}`).click();
  await page.getByTestId('search').fill(name);
  await page.getByTestId('record-row').filter({ hasText: name }).first().click();
  await expect(page.getByTestId('field-name')).toHaveValue(name);
}

/** Picks the product on one line of the order form by typing part of its name. */
async function pickProduct(line, typed) {
  await line.getByTestId('line-product').fill(typed);
  await line.getByTestId('ref-match').filter({ hasText: PRODUCT.name }).first().click();
  await expect(line.getByTestId('line-code')).toContainText(PRODUCT.code);
}

test('a product and an account to sell it to', async () => {
  await createRecord(anna, 'products', 'product', PRODUCT);
  await expect(anna.page.getByTestId('no-buyers')).toBeVisible();
  await createRecord(anna, 'accounts', 'account', { name: ACCOUNT });
  await expect(anna.page.getByTestId('orders').getByTestId('no-orders')).toBeVisible();
});

test('an order of two lines, one discounted, shows its total in Italian money', async () => {
  const orders = anna.page.getByTestId('orders');
  await orders.getByTestId('new-order').click();
  const form = orders.getByTestId('order-form');
  await expect(form.getByTestId('order-date')).toHaveValue(/^\d{4}-\d{2}-\d{2}$/);
  await expect(form.getByTestId('order-new-status')).toHaveValue('confirmed');
  await expect(form.getByTestId('order-kind')).toHaveValue('sale');
  await form.getByTestId('order-number').fill('A-17');

  const lines = form.getByTestId('line-edit');
  await expect(lines).toHaveCount(1);
  await pickProduct(lines.nth(0), 'caffe grani');
  // The product's current price is copied into the line.
  await expect(lines.nth(0).getByTestId('line-price')).toHaveValue('18.90');
  await lines.nth(0).getByTestId('line-quantity').fill('10');
  await expect(lines.nth(0).getByTestId('line-total')).toHaveText('189,00 €');

  await form.getByTestId('add-line').click();
  await expect(lines).toHaveCount(2);
  await pickProduct(lines.nth(1), 'CAF-1KG');
  await lines.nth(1).getByTestId('line-quantity').fill('60');
  await lines.nth(1).getByTestId('line-discount').fill('10');
  // 60 × 18,90 € less 10%
  await expect(lines.nth(1).getByTestId('line-total')).toHaveText('1.020,60 €');
  await expect(form.getByTestId('order-draft-total')).toHaveText('1.209,60 €');

  await form.getByTestId('save-order').click();
  await expect(form).toHaveCount(0);
  const row = orders.getByTestId('order-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('order-title')).toHaveText('Ordine A-17');
  await expect(row.getByTestId('order-total')).toHaveText('1.209,60 €');
  await expect(row.getByTestId('order-status')).toHaveValue('confirmed');
  await row.getByTestId('order-toggle').click();
  await expect(row.getByTestId('order-line')).toHaveCount(2);
  // Lines are listed in the same (stored) order on every device, not entry order.
  await expect(row.getByTestId('order-line').filter({ hasText: '1.020,60 €' })).toHaveCount(1);
  await expect(row.getByTestId('order-line').filter({ hasText: '-10%' })).toHaveCount(1);
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
});

test('a negative quantity is refused beside its line and nothing is saved', async () => {
  const orders = anna.page.getByTestId('orders');
  await orders.getByTestId('new-order').click();
  const form = orders.getByTestId('order-form');
  const good = form.getByTestId('line-edit').nth(0);
  await pickProduct(good, 'caffe');
  await good.getByTestId('line-quantity').fill('2');
  await form.getByTestId('add-line').click();
  const bad = form.getByTestId('line-edit').nth(1);
  await pickProduct(bad, 'caffe');
  await bad.getByTestId('line-quantity').fill('-3');
  // The error shows as soon as it is typed, and the line adds nothing to the total.
  await expect(bad.getByTestId('error-line-quantity')).toContainText('maggiore di zero');
  await expect(bad.getByTestId('line-total')).toHaveText('—');
  await expect(form.getByTestId('order-draft-total')).toHaveText('37,80 €');

  await form.getByTestId('save-order').click();
  await expect(form.getByTestId('order-form-error')).toBeVisible();
  await expect(bad.getByTestId('error-line-quantity')).toBeVisible();
  await expect(good.getByTestId('error-line-quantity')).toHaveCount(0);
  // Not even the valid line was written: still one order, nothing waiting to sync.
  await expect(orders.getByTestId('order-row')).toHaveCount(1);
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');

  await form.getByTestId('discard-order').click();
  await expect(form).toHaveCount(0);
  await anna.page.reload();
  await expect(anna.page.getByTestId('orders').getByTestId('order-row')).toHaveCount(1);
});

test('a second rep sees the order after sync, and who buys the product', async () => {
  await openRecord(bruno, 'accounts', ACCOUNT);
  const row = bruno.page.getByTestId('orders').getByTestId('order-row');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('order-title')).toHaveText('Order A-17');
  await expect(row.getByTestId('order-total')).toHaveText('€1,209.60');
  await row.getByTestId('order-toggle').click();
  await expect(row.getByTestId('order-line')).toHaveCount(2);
  await expect(row.getByTestId('order-line').nth(0)).toContainText(PRODUCT.code);

  await openRecord(bruno, 'products', PRODUCT.name);
  const buyer = bruno.page.getByTestId('buyer-row').filter({ hasText: ACCOUNT });
  await expect(buyer).toHaveCount(1);
  await expect(buyer.getByTestId('buyer-quantity')).toHaveText('70');
  await expect(buyer.getByTestId('buyer-revenue')).toHaveText('€1,209.60');

  expect(anna.errors).toEqual([]);
  expect(bruno.errors).toEqual([]);
});
