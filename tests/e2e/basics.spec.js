// Sign-in errors, search, validation and language: what one rep sees.
import { test, expect } from '@playwright/test';
import { Relay, Rep } from './harness.js';

let relay, rep;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  rep = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  relay.otherTeamToken = relay.token('other', 'Olga');
});

test.afterAll(async () => {
  await rep?.close();
  await relay?.stop();
});

test('a wrong token and another team\'s token get plain messages', async () => {
  const page = rep.page;
  await page.goto('/');
  await page.getByTestId('signin-team').fill('acme');
  await page.getByTestId('signin-token').fill('campo_not-a-real-token');
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signin-error')).toContainText(/not valid/i);

  await page.getByTestId('signin-token').fill(relay.otherTeamToken);
  await page.getByTestId('signin-submit').click();
  await expect(page.getByTestId('signin-error')).toContainText(/not valid for team acme/i);
});

test('search narrows the list as the rep types', async () => {
  await rep.signIn();
  for (const [name, city] of [['Bar Sport', 'Bra'], ['Caffè Centrale', 'Cuneo'], ['Pasticceria Dolce', 'Alba']]) {
    await rep.create({ name, city });
  }
  await rep.toList();
  const rows = rep.page.getByTestId('record-row');
  await expect(rows).toHaveCount(3);
  await rep.page.getByTestId('search').fill('caffe');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Caffè Centrale');
  await rep.page.getByTestId('search').fill('alba');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Pasticceria Dolce');
  await rep.page.getByTestId('search').fill('');
  await expect(rows).toHaveCount(3);
});

test('leaving a record the moment its sections show raises no error', async () => {
  // The sections below the form start work for after the next paint; the
  // page can close before then, and that work must find nothing to do.
  await rep.toList();
  const before = rep.errors.length;
  for (let i = 0; i < 3; i++) {
    await rep.page.getByTestId('record-row').nth(i).click();
    await rep.page.evaluate(() => new Promise((left) => {
      const leave = () => {
        if (!document.querySelector('[data-testid=insights]')) return false;
        document.querySelector('[data-testid=back]').click();
        // Past the frame, and the task after it, that the sections waited for.
        requestAnimationFrame(() => setTimeout(left, 50));
        return true;
      };
      if (leave()) return;
      const seen = new MutationObserver(() => { if (leave()) seen.disconnect(); });
      seen.observe(document.body, { subtree: true, childList: true });
    }));
    await rep.page.getByTestId('record-row').first().waitFor();
  }
  expect(rep.errors.slice(before)).toEqual([]);
});

test('bad input is refused next to the field and nothing is saved', async () => {
  await rep.open('Bar Sport');
  await rep.page.getByTestId('field-email').fill('not-an-email');
  await rep.page.getByTestId('save-record').click();
  await expect(rep.page.getByTestId('error-email')).toBeVisible();
  await rep.page.reload();
  await rep.open('Bar Sport');
  await expect(rep.page.getByTestId('field-email')).toHaveValue('');
});

test('the interface switches between English and Italian', async () => {
  const page = rep.page;
  await rep.toList();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  const english = await page.getByTestId('new-account').innerText();
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'it');
  await expect(page.getByTestId('new-account')).not.toHaveText(english);
  // The choice is a setting: it survives a reload.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'it');
  await page.getByTestId('lang-switch').click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('new-account')).toHaveText(english);
  expect(rep.errors).toEqual([]);
});
