// Accessibility of every main page, checked by axe-core against WCAG 2.0/2.1 A and
// AA: no serious or critical violation. Anna, a team admin, enters a small book
// through the UI (a product, an account with an order, a visit and a person, a
// deal, a task) so that every page shows real content — lists with rows, a record
// with its sections, the deal board, search results, a dashboard with figures,
// the import mapping and preview, the team's tokens — then each page is checked
// in the light colour scheme and the busiest ones again in the dark one (its own
// colour tokens, so its own contrast). With the browser's text size doubled, the
// pages still fit the width.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Relay, Rep, adminToken } from './harness.js';

test.describe.configure({ mode: 'serial' });

const here = dirname(fileURLToPath(import.meta.url));
const CSV = resolve(here, '../../core/tests/fixtures/import/excel-italia.csv');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let relay, anna;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', adminToken(relay, 'acme', 'Anna'));
});

test.afterAll(async () => {
  await anna?.close();
  await relay?.stop();
});

/** One line per violating rule: its id, impact, help text and the first elements. */
function describe(v) {
  const where = v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} (${n.failureSummary?.split('\n')[1]?.trim() ?? ''})`);
  return `${v.id} [${v.impact}] ${v.help}: ${where.join('; ')}`;
}

/** Runs axe on the page as it is and fails on any serious or critical violation. */
async function expectAccessible(page, what) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const grave = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect.soft(grave.map(describe), `${what}: serious or critical WCAG violations`).toEqual([]);
  // Lesser findings are listed with the test's results, to look at, not to fail on.
  for (const v of results.violations.filter((x) => !grave.includes(x))) {
    test.info().annotations.push({ type: 'axe', description: `${what}: ${describe(v)}` });
  }
  // axe did look at the page: it found rules that passed.
  expect(results.passes.length, what).toBeGreaterThan(10);
}

/** Checks the page in the light scheme, then (when `dark`) in the dark one. */
async function checkBoth(page, what, dark) {
  await page.emulateMedia({ colorScheme: 'light' });
  await expectAccessible(page, `${what} (light)`);
  if (dark) {
    await page.emulateMedia({ colorScheme: 'dark' });
    // The dark tokens are in force.
    await expect.poll(() => page.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue('--bg').trim())).toBe('#111614');
    await expectAccessible(page, `${what} (dark)`);
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

const localToday = (page) => page.evaluate(() => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
});

/** Creates a record from its list's "new" button and waits for its page. */
async function createRecord(page, nav, kind, fields) {
  await page.getByTestId(`nav-${nav}`).click();
  await page.getByTestId(`new-${kind}`).click();
  for (const [key, value] of Object.entries(fields)) {
    await page.getByTestId(`field-${key}`).fill(value);
  }
  await page.getByTestId('save-record').click();
  await expect(page).toHaveURL(new RegExp(`#/${nav}/[0-9a-f]{32}$`));
}

test('the sign-in page, empty and with an error', async () => {
  const page = anna.page;
  await page.goto('/');
  await expect(page.getByTestId('signin-team')).toBeVisible();
  await checkBoth(page, 'sign-in', true);
  await page.getByTestId('signin-team').fill('acme');
  await page.getByTestId('signin-token').fill('campo_not-a-token');
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signin-error')).toBeVisible();
  await checkBoth(page, 'sign-in with an error', false);
});

test('a small book entered through the UI', async () => {
  const page = anna.page;
  await anna.signIn();
  await createRecord(page, 'products', 'product', { code: 'CAF1', name: 'Caffè Arabica', category: 'Caffè', unit_price: '12.50' });
  await createRecord(page, 'accounts', 'account', { name: 'Bar Roma', city: 'Milano', phone: '+39 02 1234 5678', email: 'info@barroma.it' });

  // An order of one line.
  await page.getByTestId('new-order').click();
  const form = page.getByTestId('order-form');
  const line = form.getByTestId('line-edit').nth(0);
  await line.getByTestId('line-product').fill('Caffè');
  await line.getByTestId('ref-match').filter({ hasText: 'Caffè Arabica' }).first().click();
  await line.getByTestId('line-quantity').fill('4');
  await form.getByTestId('save-order').click();
  await expect(page.getByTestId('order-row')).toHaveCount(1);
  // A visit.
  await page.getByTestId('log-visit').click();
  await page.getByTestId('interaction-summary').fill('Assaggio della nuova miscela');
  await page.getByTestId('add-interaction').click();
  await expect(page.getByTestId('interaction-row')).toHaveCount(1);

  // A person and a deal started from the account.
  await page.getByTestId('add-person').click();
  await page.getByTestId('field-name').fill('Giulia Bianchi');
  await page.getByTestId('field-mobile').fill('+39 333 1234567');
  await anna.save();
  await anna.open('Bar Roma');
  await page.getByTestId('add-deal').click();
  await page.getByTestId('field-title').fill('Macchina espresso');
  await page.getByTestId('field-value').fill('1500.00');
  await page.getByTestId('save-record').click();
  await expect(page).toHaveURL(/#\/deals\/[0-9a-f]{32}$/);

  await createRecord(page, 'tasks', 'task', { title: 'Richiamare Bar Roma', due: await localToday(page) });
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
});

test('Today, with a task due', async () => {
  const page = anna.page;
  await page.getByTestId('nav-today').click();
  await expect(page.getByTestId('today-due').getByTestId('task-row')).toHaveCount(1);
  await checkBoth(page, 'Today', true);
});

test('the accounts list and an account with its order, visit and person', async () => {
  const page = anna.page;
  await anna.toList();
  await expect(page.getByTestId('record-row')).toHaveCount(1);
  await checkBoth(page, 'accounts list', false);

  await anna.open('Bar Roma');
  await expect(page.getByTestId('order-row')).toHaveCount(1);
  await expect(page.getByTestId('interaction-row')).toHaveCount(1);
  await expect(page.getByTestId('related-person').getByTestId('related-row')).toHaveCount(1);
  await page.getByTestId('order-row').getByTestId('order-toggle').click();
  await expect(page.getByTestId('order-line')).toHaveCount(1);
  await checkBoth(page, 'account record', true);

  // The order form open, with its line editor.
  await page.getByTestId('new-order').click();
  await expect(page.getByTestId('order-form')).toBeVisible();
  await checkBoth(page, 'account record with the order form', false);
});

test('people, deals (list and board), tasks and products', async () => {
  const page = anna.page;
  for (const [nav, what] of [['people', 'people list'], ['deals', 'deals list'], ['tasks', 'tasks list'], ['products', 'products list']]) {
    await page.getByTestId(`nav-${nav}`).click();
    if (nav === 'deals') await page.getByTestId('view-list').click();
    await expect(page.getByTestId('record-row')).toHaveCount(1);
    await checkBoth(page, what, false);
  }
  await page.getByTestId('record-row').first().click();
  await expect(page.getByTestId('field-name')).toHaveValue('Caffè Arabica');
  await checkBoth(page, 'product record with its buyers', false);

  await page.getByTestId('nav-deals').click();
  await page.getByTestId('view-board').click();
  await expect(page.getByTestId('kanban')).toBeVisible();
  await expect(page.getByTestId('deal-card')).toHaveCount(1);
  await checkBoth(page, 'deal board', true);
});

test('search with results', async () => {
  const page = anna.page;
  await page.getByTestId('nav-search').click();
  await page.getByTestId('global-search').fill('roma');
  await expect(page.getByTestId('search-row').first()).toBeVisible();
  await checkBoth(page, 'search', false);
});

test('the dashboard', async () => {
  const page = anna.page;
  await page.getByTestId('nav-dashboard').click();
  await expect(page.getByTestId('dashboard')).toBeVisible();
  await expect(page.getByTestId('revenue-bar')).toHaveCount(12);
  await checkBoth(page, 'dashboard', true);
});

test('the data page, with an import mapped and previewed', async () => {
  const page = anna.page;
  await page.getByTestId('nav-data').click();
  await expect(page.getByTestId('export-section')).toBeVisible();
  await checkBoth(page, 'data page', false);
  await page.getByTestId('import-file').setInputFiles(CSV);
  await expect(page.getByTestId('preview-row')).toHaveCount(3);
  await checkBoth(page, 'data page with an import preview', true);
});

test('the team page with the tokens shown', async () => {
  const page = anna.page;
  await page.getByTestId('nav-admin').click();
  await expect(page.getByTestId('admin-token')).toBeVisible();
  await checkBoth(page, 'team page', false);
  await page.getByTestId('admin-token').fill(anna.token);
  await page.getByTestId('tokens-load').click();
  await expect(page.getByTestId('tokens-table')).toBeVisible();
  await checkBoth(page, 'team page with tokens', true);
});

test('text at 200%: every main page still fits the width', async () => {
  const page = anna.page;
  // The reader's own text size, as set in the browser's settings (the app's sizes
  // are rem, so everything follows): 32px instead of 16px.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.setFontSizes', { fontSizes: { standard: 32 } });
  try {
    await expect.poll(() => page.evaluate(() => getComputedStyle(document.documentElement).fontSize)).toBe('32px');
    for (const [nav, ready] of [['today', 'today-due'], ['accounts', 'record-row'], ['deals', 'kanban'],
      ['tasks', 'record-row'], ['search', 'global-search'], ['dashboard', 'dashboard'], ['data', 'export-section'],
      ['admin', 'admin-token']]) {
      await page.getByTestId(`nav-${nav}`).click();
      await expect(page.getByTestId(ready).first()).toBeVisible();
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect.soft(sideways, `${nav} at 200% text scrolls sideways`).toBeLessThanOrEqual(0);
    }
    await anna.open('Bar Roma');
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(sideways, 'account record at 200% text scrolls sideways').toBeLessThanOrEqual(0);
  } finally {
    await cdp.send('Page.setFontSizes', { fontSizes: { standard: 16 } });
    await cdp.detach();
  }
});

test('the keyboard reaches the navigation and the record, with a visible focus ring', async () => {
  const page = anna.page;
  await page.getByTestId('nav-today').click();
  await expect(page.getByTestId('today-due')).toBeVisible();
  // From the first stop, the brand link at the top.
  await page.locator('.topbar .brand').focus();
  // Tab through the page's stops, up to the end (where focus leaves the page):
  // each is visible and shows a focus ring.
  const stops = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement === document.body)) break;
    stops.push(await page.evaluate(() => {
      const el = document.activeElement;
      const s = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return {
        id: el.dataset.testid ?? el.tagName.toLowerCase(),
        ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
        shown: r.width > 0 && r.height > 0,
      };
    }));
  }
  expect(stops.length).toBeGreaterThan(12);
  expect(stops.filter((s) => !s.ring || !s.shown), 'stops without a visible focus ring').toEqual([]);
  const ids = stops.map((s) => s.id);
  test.info().annotations.push({ type: 'tab order', description: ids.join(' → ') });
  // The order follows the page: the top bar, then the navigation, then the page.
  expect(ids.indexOf('lang-switch')).toBeLessThan(ids.indexOf('nav-today'));
  expect(ids.indexOf('nav-today')).toBeLessThan(ids.indexOf('nav-accounts'));
  expect(ids.indexOf('nav-admin')).toBeLessThan(ids.indexOf('task-done'));

  // Enter on a navigation link opens its section; Enter on a row opens the record.
  await page.getByTestId('nav-accounts').focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/accounts$/);
  await page.getByTestId('search').fill('Bar Roma');
  await page.getByTestId('record-row').filter({ hasText: 'Bar Roma' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('field-name')).toHaveValue('Bar Roma');
  // A visit logged from the keyboard alone.
  await page.getByTestId('log-visit').focus();
  await page.keyboard.press('Enter');
  await page.getByTestId('interaction-summary').focus();
  await page.keyboard.type('Ordine confermato a voce');
  await page.getByTestId('add-interaction').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('interaction-row').filter({ hasText: 'Ordine confermato a voce' })).toHaveCount(1);
});

test('the new-version banner', async () => {
  const page = anna.page;
  await page.getByTestId('nav-today').click();
  await page.evaluate(() => window.dispatchEvent(new CustomEvent('campo-update-ready')));
  await expect(page.getByTestId('update-ready')).toBeVisible();
  await checkBoth(page, 'Today with the update banner', true);
  expect(anna.errors).toEqual([]);
});
