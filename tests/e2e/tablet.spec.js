// Campo on a tablet: a touch screen of 1024x768 in landscape and 768x1024 in
// portrait, turned mid-session, with an on-screen keyboard that takes ~40% of the
// screen. Every main page fits the width (no sideways scrolling of the page), its
// controls are finger-sized and on screen, what the rep typed survives a turn,
// and the field being typed in stays visible when the keyboard opens. No control
// exists only on hover.
import { test, expect } from '@playwright/test';
import { Relay, Rep, adminToken } from './harness.js';

test.describe.configure({ mode: 'serial' });

const LANDSCAPE = { width: 1024, height: 768 };
const PORTRAIT = { width: 768, height: 1024 };
const LONG_NAME = 'Società Agricola Cooperativa Produttori Vitivinicoli della Valpolicella Classica S.r.l.';

let relay, anna;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', adminToken(relay, 'acme', 'Anna'), {
    viewport: LANDSCAPE, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  });
  await anna.signIn();
});

test.afterAll(async () => {
  await anna?.close();
  await relay?.stop();
});

/** The main pages: how to get there, and what shows once the page is there. */
const PAGES = [
  ['Today', 'nav-today', 'today-due'],
  ['accounts', 'nav-accounts', 'record-row'],
  ['people', 'nav-people', 'record-row'],
  ['deals board', 'nav-deals', 'kanban'],
  ['tasks', 'nav-tasks', 'record-row'],
  ['products', 'nav-products', 'record-row'],
  ['search', 'nav-search', 'global-search'],
  ['dashboard', 'nav-dashboard', 'dashboard'],
  ['data', 'nav-data', 'export-section'],
  ['team', 'nav-admin', 'admin-token'],
];

/**
 * How the page fits its viewport: how far it scrolls sideways, the elements that
 * stick out (outside any container that scrolls sideways on purpose, like the deal
 * board), and visible controls smaller than a 44px touch target or off screen.
 */
function layout(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollsSideways = (el) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const x = getComputedStyle(p).overflowX;
        if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
      }
      return false;
    };
    const name = (el) => `${el.tagName.toLowerCase()}${el.dataset.testid ? `[${el.dataset.testid}]` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.split(' ')[0]}` : ''}`;
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      const s = getComputedStyle(el);
      return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && !el.closest('.sr-only');
    };
    const outside = [...document.querySelectorAll('body *')]
      .filter((el) => visible(el) && !scrollsSideways(el))
      .filter((el) => { const r = el.getBoundingClientRect(); return r.right > width + 1 || r.left < -1; })
      .map(name);
    const controls = [...document.querySelectorAll(
      'button, a.button, .mainnav a, select, textarea, input:not([type=checkbox]):not([type=radio]):not([type=hidden])')]
      .filter(visible);
    const small = controls.filter((el) => el.getBoundingClientRect().height < 43.5)
      .map((el) => `${name(el)} ${Math.round(el.getBoundingClientRect().height)}px`);
    const offscreen = controls.filter((el) => !scrollsSideways(el))
      .filter((el) => { const r = el.getBoundingClientRect(); return r.left < 0 || r.right > width + 1; })
      .map(name);
    return {
      sideways: document.documentElement.scrollWidth - width,
      outside: outside.slice(0, 5),
      small: [...new Set(small)].slice(0, 8),
      offscreen: offscreen.slice(0, 5),
      controls: controls.length,
    };
  });
}

async function expectFits(page, what) {
  const l = await layout(page);
  expect.soft(l.sideways, `${what}: the page scrolls sideways (${l.outside.join(', ')})`).toBeLessThanOrEqual(0);
  expect.soft(l.offscreen, `${what}: controls off screen`).toEqual([]);
  expect.soft(l.small, `${what}: controls under 44px`).toEqual([]);
  expect(l.controls, `${what}: controls found`).toBeGreaterThan(3);
}

test('a small book with long names', async () => {
  const page = anna.page;
  await anna.create({ name: LONG_NAME, city: 'San Pietro in Cariano', phone: '+39 045 770 1234', email: 'amministrazione@cantinavalpolicellaclassica.example.it' });
  await page.getByTestId('add-person').click();
  await anna.fill({ name: 'Maria Giovanna Bianchi-Scarpa', role: 'Responsabile acquisti e logistica', mobile: '+39 333 1234567' });
  await anna.save();
  await anna.open(LONG_NAME);
  await page.getByTestId('add-deal').click();
  await anna.fill({ title: 'Fornitura annuale di bottiglie e tappi per la vendemmia', value: '125000.00' });
  await anna.save();
  await page.getByTestId('nav-tasks').click();
  await page.getByTestId('new-task').click();
  await anna.fill({ title: 'Richiamare per il preventivo della fornitura annuale', due: '2026-12-01' });
  await anna.save();
  await page.getByTestId('nav-products').click();
  await page.getByTestId('new-product').click();
  await anna.fill({ code: 'BOT-075-BORD-VERDE', name: 'Bottiglia bordolese 0,75 l vetro verde', unit_price: '0.42' });
  await anna.save();
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
});

for (const [orientation, size] of [['landscape', LANDSCAPE], ['portrait', PORTRAIT]]) {
  test(`every main page fits a ${size.width}x${size.height} tablet in ${orientation}`, async () => {
    const page = anna.page;
    await page.setViewportSize(size);
    for (const [what, nav, ready] of PAGES) {
      const link = page.getByTestId(nav);
      await expect(link, `${what}: its navigation link`).toBeInViewport();
      await link.tap();
      if (nav === 'nav-deals') await page.getByTestId('view-board').tap();
      await expect(page.getByTestId(ready).first()).toBeVisible();
      await expectFits(page, what);
    }
    // A record with its sections, and its form's main action within reach.
    await anna.open(LONG_NAME);
    await expectFits(page, 'account record');
    await page.getByTestId('save-record').scrollIntoViewIfNeeded();
    await expect(page.getByTestId('save-record')).toBeInViewport();
    await page.getByTestId('new-order').tap();
    await expect(page.getByTestId('order-form')).toBeVisible();
    await expectFits(page, 'account record with the order form');
  });
}

test('turning the tablet mid-edit keeps what was typed and the form usable', async () => {
  const page = anna.page;
  await page.setViewportSize(LANDSCAPE);
  await anna.toList();
  await page.getByTestId('new-account').tap();
  await page.getByTestId('field-name').fill('Trattoria da Gino');
  await page.getByTestId('field-city').fill('Bardolino');

  await page.setViewportSize(PORTRAIT);
  await expect(page.getByTestId('field-name')).toHaveValue('Trattoria da Gino');
  await expect(page.getByTestId('field-city')).toHaveValue('Bardolino');
  await expectFits(page, 'new account, turned to portrait');
  await page.getByTestId('field-phone').tap();
  await page.keyboard.type('+39 045 721 0000');

  await page.setViewportSize(LANDSCAPE);
  await expectFits(page, 'new account, turned back to landscape');
  await page.getByTestId('save-record').scrollIntoViewIfNeeded();
  await page.getByTestId('save-record').tap();
  await expect(page.locator('[data-testid^="error-"]')).toHaveCount(0);
  await expect(page).toHaveURL(/#\/accounts\/[0-9a-f]{32}$/);
  await anna.open('Trattoria da Gino');
  await expect(page.getByTestId('field-phone')).toHaveValue('+39 045 721 0000');
});

test('the field at the bottom of a form stays in view when the keyboard opens', async () => {
  const page = anna.page;
  // Chromium on Android then shrinks the page itself rather than covering it.
  await expect(page.locator('meta[name=viewport]')).toHaveAttribute('content', /(^|, *)interactive-widget=resizes-content(,|$)/);
  for (const size of [PORTRAIT, LANDSCAPE]) {
    await page.setViewportSize(size);
    await anna.open(LONG_NAME);
    // The notes, the form's last field, at the very bottom of the screen as the
    // rep taps it (the tap itself does not scroll it).
    const notes = page.getByTestId('field-notes');
    await notes.evaluate((el) => {
      el.scrollIntoView({ block: 'end' });
      el.focus({ preventScroll: true });
    });
    const before = await notes.boundingBox();
    expect(before.y + before.height).toBeGreaterThan(size.height - 150);

    // The keyboard takes 40% of the screen: the viewport gets that much shorter.
    const keyboard = Math.round(size.height * 0.4);
    await page.setViewportSize({ width: size.width, height: size.height - keyboard });
    const visible = size.height - keyboard;
    await expect.poll(async () => {
      const box = await notes.boundingBox();
      return box.y + box.height <= visible;
    }, { message: `the notes field is above the keyboard at ${size.width}x${size.height}` }).toBe(true);
    const box = await notes.boundingBox();
    const bar = await page.locator('.topbar').boundingBox();
    expect(box.y, 'not under the top bar').toBeGreaterThanOrEqual(bar.y + bar.height);
    await expect(notes).toBeFocused();
    // Typing goes into the field the rep sees.
    await page.keyboard.type('Consegne solo al mattino.');
    await expect(notes).toHaveValue(/Consegne solo al mattino\.$/);
    await page.setViewportSize(size);
  }
});

test('no control appears only on hover', async () => {
  const page = anna.page;
  // Every :hover rule only decorates (colours, borders, underline), and only where
  // the device can hover: nothing is shown, hidden or moved by it.
  const rules = await page.evaluate(() => {
    const found = [];
    const walk = (list, media) => {
      for (const rule of list) {
        if (rule instanceof CSSMediaRule) walk(rule.cssRules, rule.conditionText);
        else if (rule instanceof CSSStyleRule && rule.selectorText.includes(':hover')) {
          const props = [...rule.style];
          found.push({ selector: rule.selectorText, media, props });
        }
      }
    };
    for (const sheet of document.styleSheets) walk(sheet.cssRules, null);
    return found;
  });
  expect(rules.length, 'hover rules found').toBeGreaterThan(0);
  const decorative = /^(color|background(-[a-z-]+)?|border(-(top|right|bottom|left))?-color|text-decoration-(thickness|color|line)|outline-color|box-shadow)$/;
  for (const r of rules) {
    expect(r.media, `${r.selector} applies only where the device can hover`).toMatch(/\(hover: ?hover\)/);
    for (const p of r.props) expect(p, `${r.selector} changes ${p}`).toMatch(decorative);
  }
});
