// The pipeline and the rep's day: a deal started from its account and moved on
// the board (menu and drag), a task due today ticked off on Today, a lost deal
// that needs its reason, and a move reaching the other rep of the team.
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

const DEAL = 'Espresso machines';
const TASK = 'Call Bar Roma about the offer';

/** A stage's column on a rep's board, its count, and the deal's card in it. */
const column = (rep, stage) => rep.page.getByTestId(`col-${stage}`);
const count = (rep, stage) => column(rep, stage).getByTestId('col-count');
const card = (rep, stage) => column(rep, stage).getByTestId('deal-card').filter({ hasText: DEAL });

/** Today in the browser's time zone, as the date input wants it. */
const localToday = (page) => page.evaluate(() => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
});

test('a deal started from its account moves to proposal on the board', async () => {
  const page = anna.page;
  await anna.create({ name: 'Bar Roma', city: 'Milano' });
  await expect(page).toHaveURL(/#\/accounts\/[0-9a-f]{32}$/);
  await expect(page.getByTestId('field-name')).toHaveValue('Bar Roma');

  await page.getByTestId('add-deal').click();
  await page.getByTestId('field-title').fill(DEAL);
  await page.getByTestId('field-value').fill('1500.00');
  await page.getByTestId('save-record').click();
  await expect(page).toHaveURL(/#\/deals\/[0-9a-f]{32}$/);

  await page.getByTestId('nav-deals').click();
  await page.getByTestId('view-board').click();
  await expect(page.getByTestId('view-board')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('view-list')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('kanban')).toBeVisible();
  await expect(count(anna, 'lead')).toHaveAttribute('data-count', '1');
  await expect(count(anna, 'proposal')).toHaveAttribute('data-count', '0');
  await expect(card(anna, 'lead')).toContainText('Bar Roma');
  await expect(card(anna, 'lead')).toContainText('€1,500.00');

  await card(anna, 'lead').getByTestId('deal-stage').selectOption('proposal');
  await expect(card(anna, 'proposal')).toBeVisible();
  await expect(count(anna, 'lead')).toHaveAttribute('data-count', '0');
  await expect(count(anna, 'proposal')).toHaveAttribute('data-count', '1');
  await expect(column(anna, 'proposal').getByTestId('col-total')).toHaveText('€1,500.00');
  await expect(column(anna, 'proposal').getByTestId('col-weighted')).toHaveText('weighted €750.00');

  // The move brought the stage's usual probability with it.
  await card(anna, 'proposal').getByTestId('deal-link').click();
  await expect(page.getByTestId('field-stage')).toHaveValue('proposal');
  await expect(page.getByTestId('field-probability')).toHaveValue('50');

  // The board is the remembered view of the deals list.
  await page.getByTestId('nav-deals').click();
  await expect(page.getByTestId('kanban')).toBeVisible();
});

test('a task due today shows on Today and leaves the list once ticked', async () => {
  const page = anna.page;
  await page.getByTestId('nav-tasks').click();
  await page.getByTestId('new-task').click();
  await page.getByTestId('field-title').fill(TASK);
  await page.getByTestId('field-due').fill(await localToday(page));
  await expect(page.getByTestId('field-assignee')).toHaveValue('Anna');
  await page.getByTestId('save-record').click();
  await expect(page).toHaveURL(/#\/tasks\/[0-9a-f]{32}$/);

  await page.getByTestId('nav-today').click();
  const due = page.getByTestId('today-due').getByTestId('task-row').filter({ hasText: TASK });
  const dueCount = page.getByTestId('stat-due').getByTestId('stat-value');
  await expect(due).toBeVisible();
  await expect(dueCount).toHaveText('1');

  await due.getByTestId('task-done').click();
  await expect(due).toHaveCount(0);
  await expect(dueCount).toHaveText('0');
  await expect(page.getByTestId('today-due').getByTestId('today-empty')).toBeVisible();

  // Ticked by mistake: unticking it under "Just done" puts it back.
  const done = page.getByTestId('today-done').getByTestId('task-row').filter({ hasText: TASK });
  await expect(done.getByTestId('task-done')).toBeChecked();
  await done.getByTestId('task-done').click();
  await expect(due).toBeVisible();
  await expect(dueCount).toHaveText('1');
  await due.getByTestId('task-done').click();
  await expect(due).toHaveCount(0);

  // The tasks list shows it done, with its box ticked.
  await page.getByTestId('nav-tasks').click();
  const listed = page.locator('.record-list > li').filter({ hasText: TASK });
  await expect(listed.getByTestId('task-done')).toBeChecked();
});

test('the other rep sees the moved deal after sync', async () => {
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
  const page = bruno.page;
  await page.getByTestId('nav-deals').click();
  await page.getByTestId('view-board').click();
  await page.getByTestId('board-everyone').click();
  await expect(card(bruno, 'proposal')).toBeVisible();
  await expect(count(bruno, 'proposal')).toHaveAttribute('data-count', '1');
  await expect(count(bruno, 'lead')).toHaveAttribute('data-count', '0');
  await expect(card(bruno, 'proposal')).toContainText('Anna');
  // None of the deals is Bruno's own.
  await page.getByTestId('board-mine').click();
  await expect(count(bruno, 'proposal')).toHaveAttribute('data-count', '0');
});

test('a deal dragged by its handle onto another column moves there', async () => {
  const page = anna.page;
  await page.getByTestId('nav-deals').click();
  const handle = card(anna, 'proposal').getByTestId('deal-drag');
  await handle.scrollIntoViewIfNeeded();
  const from = await handle.boundingBox();
  const to = await column(anna, 'qualified').boundingBox();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + 40, { steps: 12 });
  await expect(column(anna, 'qualified')).toHaveClass(/drop-target/);
  await page.mouse.up();
  await expect(card(anna, 'qualified')).toBeVisible();
  await expect(count(anna, 'proposal')).toHaveAttribute('data-count', '0');
  await expect(column(anna, 'qualified').getByTestId('col-weighted')).toHaveText('weighted €375.00');
});

test('moving a deal to lost asks why, and the reason is required', async () => {
  const page = anna.page;
  await card(anna, 'qualified').getByTestId('deal-stage').selectOption('lost');
  const form = card(anna, 'qualified').getByTestId('lost-form');
  await expect(form).toBeVisible();
  await expect(form.getByTestId('lost-reason')).toBeFocused();
  await form.getByTestId('lost-confirm').click();
  await expect(form.getByTestId('lost-reason-error')).toBeVisible();
  await expect(count(anna, 'lost')).toHaveAttribute('data-count', '0');

  // Cancelling leaves the deal where it was.
  await form.getByTestId('lost-cancel').click();
  await expect(form).toHaveCount(0);
  await expect(card(anna, 'qualified').getByTestId('deal-stage')).toHaveValue('qualified');

  await card(anna, 'qualified').getByTestId('deal-stage').selectOption('lost');
  await form.getByTestId('lost-reason').fill('Went with a cheaper supplier');
  await form.getByTestId('lost-confirm').click();
  await expect(card(anna, 'lost')).toBeVisible();
  await expect(count(anna, 'qualified')).toHaveAttribute('data-count', '0');
  await card(anna, 'lost').getByTestId('deal-link').click();
  await expect(page.getByTestId('field-lost_reason')).toHaveValue('Went with a cheaper supplier');
  await expect(page.getByTestId('field-probability')).toHaveValue('0');

  expect(anna.errors).toEqual([]);
  expect(bruno.errors).toEqual([]);
});
