// Import, export and backup, end to end: Anna imports the committed Excel-Italy
// CSV (Windows-1252, `;`, a P.IVA and a CAP that lost their leading zeros)
// through the file input, sees the suggested mapping and the preview, imports,
// and finds the accounts in her list marked as an imported list with the file's
// name and today's date. She exports the accounts list as CSV (standard, then for
// Excel in Italian) and downloads a backup. Carla, on a fresh device signed into
// another team, is refused a file that is not a backup, then restores Anna's
// backup and sees the same accounts; Dario, on a third device of Carla's team,
// receives them from the relay.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Relay, Rep } from './harness.js';

test.describe.configure({ mode: 'serial' });

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURE = resolve(here, '../../core/tests/fixtures/import/excel-italia.csv');
const ACCOUNTS = ['Caffè Però S.r.l.', 'Trattoria Dà Nonna Luì', 'Società Agricola Ölberg'];

let relay, anna, carla, dario;
let backup; // { name, buffer }

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  await anna.signIn();
});

test.afterAll(async () => {
  await anna?.close();
  await carla?.close();
  await dario?.close();
  await relay?.stop();
});

/** Today on this machine, as the app writes it (the browser runs here too). */
function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Clicks `testid` and returns the download it starts: its name and bytes. */
async function downloadOf(page, testid) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId(testid).click(),
  ]);
  const path = await download.path();
  return { name: download.suggestedFilename(), buffer: readFileSync(path) };
}

test('an Excel-Italy CSV is mapped, previewed and imported with its data source', async () => {
  const page = anna.page;
  await page.getByTestId('nav-data').click();
  await page.getByTestId('import-file').setInputFiles(FIXTURE);

  // Read as Windows-1252 with `;`: three rows (the trailing `;;;;` lines are not rows).
  await expect(page.getByTestId('import-format')).toContainText('excel-italia.csv');
  await expect(page.getByTestId('import-format')).toContainText('3 rows');
  await expect(page.getByTestId('import-format')).toContainText('Windows-1252');

  // The mapping was suggested from the Italian headers.
  const expected = ['name', 'vat_id', 'street', 'city', 'postcode', 'province', 'phone',
    'mobile', 'email', 'website', 'industry', 'tags', 'notes', 'ignore'];
  await expect(page.getByTestId('map-row')).toHaveCount(expected.length);
  for (const [i, key] of expected.entries()) {
    await expect(page.getByTestId(`map-${i}`)).toHaveValue(key);
  }
  await expect(page.getByTestId('map-3')).toHaveAttribute('data-header', 'Città');

  // The preview shows the rows as they will be imported: zeros put back.
  const rows = page.getByTestId('preview-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toContainText('Caffè Però S.r.l.');
  await expect(rows.nth(1)).toContainText('07654321004');
  await expect(rows.nth(1)).toContainText('00184');
  for (let i = 0; i < 3; i++) {
    await expect(rows.nth(i).getByTestId('preview-outcome')).toHaveText('Ready');
  }
  await expect(page.getByTestId('import-summary')).toHaveText('3 to import · 0 refused · 0 duplicates');
  await expect(page.getByTestId('import-refused')).toHaveCount(0);

  // Changing a column's target changes the preview; putting it back restores it.
  await page.getByTestId('map-3').selectOption('ignore');
  await expect(rows.nth(0)).not.toContainText('Forlì');
  await page.getByTestId('map-3').selectOption('city');
  await expect(rows.nth(0)).toContainText('Forlì');

  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-done')).toContainText('3 new accounts');
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');

  await anna.toList();
  for (const name of ACCOUNTS) {
    await expect(page.getByTestId('record-row').filter({ hasText: name })).toHaveCount(1);
  }
  await anna.open('Caffè Però S.r.l.');
  await expect(page.getByTestId('field-source')).toHaveValue('imported');
  await expect(page.getByTestId('field-source_detail')).toHaveValue('excel-italia.csv');
  await expect(page.getByTestId('field-source_date')).toHaveValue(today());
  await expect(page.getByTestId('field-vat_id')).toHaveValue('01234567897');
  await expect(page.getByTestId('field-city')).toHaveValue('Forlì');
});

test('the accounts list exports as CSV, standard and for Excel in Italian', async () => {
  const page = anna.page;
  // The export follows the list's search: one account, then all three.
  await anna.toList();
  await page.getByTestId('search').fill('trattoria');
  await page.getByTestId('nav-data').click();
  await expect(page.getByTestId('export-csv-account')).toContainText('(1)');
  const one = await downloadOf(page, 'export-csv-account');
  const oneLines = one.buffer.toString('utf8').split('\r\n').filter((l) => l !== '');
  expect(oneLines).toHaveLength(2);
  expect(oneLines[1]).toContain('Trattoria Dà Nonna Luì');

  await anna.toList();
  await page.getByTestId('search').fill('');
  await page.getByTestId('nav-data').click();
  await expect(page.getByTestId('export-csv-account')).toContainText('(3)');

  const standard = await downloadOf(page, 'export-csv-account');
  expect(standard.name).toMatch(/^campo-accounts-\d{4}-\d{2}-\d{2}\.csv$/);
  const text = standard.buffer.toString('utf8');
  expect(text.split('\r\n')[0]).toBe('Name,Status,City,Phone,Email,Owner,Last contact,Tags');
  for (const name of ACCOUNTS) expect(text).toContain(name);
  expect(text.split('\r\n').filter((l) => l !== '')).toHaveLength(4);

  await page.getByTestId('export-excel').check();
  const excel = await downloadOf(page, 'export-csv-account');
  expect([...excel.buffer.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(excel.buffer.subarray(3).toString('utf8').split('\r\n')[0])
    .toBe('Name;Status;City;Phone;Email;Owner;Last contact;Tags');
  await expect(page.getByTestId('export-status')).toContainText(excel.name);
});

test('a backup downloads as one Campo backup file', async () => {
  const page = anna.page;
  backup = await downloadOf(page, 'backup-download');
  expect(backup.name).toMatch(/^campo-backup-acme-\d{4}-\d{2}-\d{2}\.campobk$/);
  expect(backup.buffer.subarray(0, 8).toString('latin1')).toBe('CAMPOBK1');
  await expect(page.getByTestId('backup-status')).toContainText(backup.name);
});

test('the backup restores into a fresh device of another team, and reaches its relay', async ({ browser }) => {
  carla = await Rep.open(browser, relay, 'Carla', 'beta', relay.token('beta', 'Carla'));
  await carla.signIn();
  const page = carla.page;
  await page.getByTestId('nav-data').click();

  // A file that is not a backup is refused with a clear message; nothing is offered.
  await page.getByTestId('restore-file').setInputFiles({
    name: 'clienti.csv', mimeType: 'text/csv', buffer: readFileSync(FIXTURE),
  });
  await expect(page.getByTestId('restore-error')).toContainText('not a Campo backup file');
  await expect(page.getByTestId('restore-start')).toHaveCount(0);

  await page.getByTestId('restore-file').setInputFiles({
    name: backup.name, mimeType: 'application/octet-stream', buffer: backup.buffer,
  });
  await expect(page.getByTestId('restore-error')).toHaveCount(0);
  await expect(page.getByTestId('restore-info')).toContainText('acme');
  await expect(page.getByTestId('restore-other-team')).toBeVisible();
  await page.getByTestId('restore-start').click();
  await expect(page.getByTestId('restore-done')).toBeVisible();
  await expect(carla.status()).toHaveAttribute('data-state', 'synced', { timeout: 30_000 });

  await carla.toList();
  await expect(page.getByTestId('record-row')).toHaveCount(ACCOUNTS.length);
  for (const name of ACCOUNTS) {
    await expect(page.getByTestId('record-row').filter({ hasText: name })).toHaveCount(1);
  }
  // History came along: the record is the one Anna imported, with its source.
  await carla.open('Trattoria Dà Nonna Luì');
  await expect(page.getByTestId('field-source_detail')).toHaveValue('excel-italia.csv');
  await expect(page.getByTestId('field-postcode')).toHaveValue('00184');

  // Another device of Carla's team gets the restored records from the relay.
  dario = await Rep.open(browser, relay, 'Dario', 'beta', relay.token('beta', 'Dario'));
  await dario.signIn();
  await dario.toList();
  await expect(dario.page.getByTestId('record-row')).toHaveCount(ACCOUNTS.length, { timeout: 30_000 });
  for (const name of ACCOUNTS) {
    await expect(dario.page.getByTestId('record-row').filter({ hasText: name })).toHaveCount(1);
  }

  // Anna's team is untouched by the restore elsewhere.
  await anna.toList();
  await expect(anna.page.getByTestId('record-row')).toHaveCount(ACCOUNTS.length);
});
