// Exports read back by the app itself. Anna (team acme, in Rome's time zone)
// enters accounts, people and tasks through the UI. Her accounts list goes out as
// CSV and into Carla's fresh device of team beta through the import page; her
// people go out as vCard and into Dario's fresh device of team gamma. Each
// receiving device then exports the same list, which must hold the same records.
// Her tasks and planned visits go out as iCalendar with the right components and
// dates.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { Relay, Rep } from './harness.js';

test.describe.configure({ mode: 'serial' });

const ZONE = 'Europe/Rome';
const ACCOUNTS = [
  { name: 'Osteria del Ponte', city: 'Verona', phone: '+39 045 800 1234', email: 'info@osteriadelponte.it', status: 'active' },
  { name: 'Caffè Garibaldi', city: 'Padova', phone: '049 876 5432', email: 'bar@garibaldi.it', status: 'prospect' },
  // A name a spreadsheet would run as a formula: it must come back as text.
  { name: '=SUM(1+2) Bar', city: 'Lodi', phone: '+39 0371 123456', email: '', status: 'dormant' },
];
const PEOPLE = [
  { name: 'Giulia Bianchi', role: 'Titolare', mobile: '+39 333 1234567', phone: '+39 045 800 1235', email: 'giulia@osteriadelponte.it', account: 'Osteria del Ponte' },
  { name: 'Marco Rossi', role: 'Barista', mobile: '+39 347 7654321', phone: '', email: 'marco.rossi@garibaldi.it', account: 'Caffè Garibaldi' },
  { name: 'Luisa Verdi', role: '', mobile: '', phone: '+39 02 1234 5678', email: 'luisa.verdi@example.it', account: '' },
];

let relay, anna, carla, dario;

test.beforeAll(async ({ browser }) => {
  relay = await Relay.start();
  anna = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'), { timezoneId: ZONE });
  await anna.signIn();
});

test.afterAll(async () => {
  for (const rep of [anna, carla, dario]) await rep?.close();
  await relay?.stop();
});

/** Clicks `testid` on the Data page and returns the download's name and text. */
async function download(page, testid) {
  await page.getByTestId('nav-data').click();
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return { name: file.suggestedFilename(), text: readFileSync(await file.path(), 'utf8') };
}

/** Parses CSV text as written by Campo (RFC 4180, CRLF) into rows of fields. */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; }
    else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The rows of a CSV export as objects keyed by header, sorted by the first column. */
function records(text) {
  const [headers, ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(headers.map((h, i) => [h, r[i]])))
    .sort((a, b) => a[headers[0]].localeCompare(b[headers[0]]));
}

/** Imports `file` on the Data page: everything new, nothing refused. */
async function importFile(rep, file, mimeType, expectDone) {
  const page = rep.page;
  await page.getByTestId('nav-data').click();
  await page.getByTestId('import-file').setInputFiles({ name: file.name, mimeType, buffer: Buffer.from(file.text, 'utf8') });
  await expect(page.getByTestId('import-refused')).toHaveCount(0);
  await page.getByTestId('import-start').click();
  await expect(page.getByTestId('import-done')).toContainText(expectDone);
  await expect(rep.status()).toHaveAttribute('data-state', 'synced');
}

/** `YYYY-MM-DD` of today plus `days` in the page's time zone. */
const dayIn = (page, days) => page.evaluate((n) => {
  const d = new Date();
  d.setDate(d.getDate() + n);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}, days);

test('accounts and people entered through the UI', async () => {
  const page = anna.page;
  for (const a of ACCOUNTS) {
    const fields = { name: a.name, city: a.city, phone: a.phone, status: a.status };
    if (a.email) fields.email = a.email;
    await anna.create(fields);
  }
  for (const p of PEOPLE) {
    if (p.account) {
      await anna.open(p.account);
      await page.getByTestId('add-person').click();
    } else {
      await page.getByTestId('nav-people').click();
      await page.getByTestId('new-person').click();
    }
    const fields = Object.fromEntries(['name', 'role', 'mobile', 'phone', 'email']
      .filter((k) => p[k]).map((k) => [k, p[k]]));
    await anna.fill(fields);
    await anna.save();
    await expect(page).toHaveURL(/#\/people\/[0-9a-f]{32}$/);
  }
  await expect(anna.status()).toHaveAttribute('data-state', 'synced');
});

test('the accounts list as CSV imports into a fresh device as the same accounts', async ({ browser }) => {
  // The export is the list as shown: no search, every account.
  await anna.toList();
  await anna.page.getByTestId('search').fill('');
  const out = await download(anna.page, 'export-csv-account');
  // The formula-like name is escaped for spreadsheets; phones stay readable.
  expect(out.text).toContain("'=SUM(1+2) Bar");
  expect(out.text).toContain(',+39 045 800 1234,');
  const sent = records(out.text);
  // (As the file has them: the importer takes the `'` off again.)
  expect(sent.map((r) => r.Name)).toEqual(["'=SUM(1+2) Bar", 'Caffè Garibaldi', 'Osteria del Ponte']);

  carla = await Rep.open(browser, relay, 'Carla', 'beta', relay.token('beta', 'Carla'), { timezoneId: ZONE });
  await carla.signIn();
  await importFile(carla, out, 'text/csv', '3 new accounts');
  await carla.toList();
  await expect(carla.page.getByTestId('record-row')).toHaveCount(ACCOUNTS.length);

  const back = records((await download(carla.page, 'export-csv-account')).text);
  // Every column comes back but the owner: the importer has no owner column
  // (Anna is no rep of team beta), so imported accounts have none.
  const withoutOwner = (rows) => rows.map(({ Owner, ...rest }) => rest);
  expect(withoutOwner(back)).toEqual(withoutOwner(sent));
  expect(sent.map((r) => r.Owner)).toEqual(['Anna', 'Anna', 'Anna']);
  expect(back.map((r) => r.Owner)).toEqual(['', '', '']);
  // And the record itself, field by field.
  await carla.open('=SUM(1+2) Bar');
  await expect(carla.page.getByTestId('field-phone')).toHaveValue('+39 0371 123456');
  await expect(carla.page.getByTestId('field-status')).toHaveValue('dormant');
  expect(carla.errors).toEqual([]);
});

test('people as vCard import into a fresh device with their phones, emails and organisations', async ({ browser }) => {
  await anna.page.getByTestId('nav-people').click();
  await anna.page.getByTestId('search').fill('');
  await expect(anna.page.getByTestId('record-row')).toHaveCount(PEOPLE.length);
  const out = await download(anna.page, 'export-vcard');
  expect(out.name).toMatch(/^campo-people-\d{4}-\d{2}-\d{2}\.vcf$/);
  expect(out.text.match(/^BEGIN:VCARD\r$/gm)).toHaveLength(PEOPLE.length);
  const sent = records((await download(anna.page, 'export-csv-person')).text);

  dario = await Rep.open(browser, relay, 'Dario', 'gamma', relay.token('gamma', 'Dario'), { timezoneId: ZONE });
  await dario.signIn();
  await importFile(dario, out, 'text/vcard', '3 new people');
  const page = dario.page;
  await page.getByTestId('nav-people').click();
  await expect(page.getByTestId('record-row')).toHaveCount(PEOPLE.length);

  // The people list holds the same rows (name, role, organisation, phone, email).
  const back = records((await download(page, 'export-csv-person')).text);
  expect(back).toEqual(sent);

  // Each person, field by field; the organisations became accounts.
  for (const p of PEOPLE) {
    await page.getByTestId('nav-people').click();
    await page.getByTestId('search').fill(p.name);
    await page.getByTestId('record-row').filter({ hasText: p.name }).first().click();
    await expect(page.getByTestId('field-name')).toHaveValue(p.name);
    for (const key of ['role', 'mobile', 'phone', 'email']) {
      await expect(page.getByTestId(`field-${key}`), `${p.name}: ${key}`).toHaveValue(p[key]);
    }
    await expect(page.getByTestId('field-account'), `${p.name}: organisation`).toHaveValue(p.account);
  }
  await dario.toList();
  await expect(page.getByTestId('record-row')).toHaveCount(2);
  expect(dario.errors).toEqual([]);
});

test('tasks and planned visits export as iCalendar with their dates', async () => {
  const page = anna.page;
  const tomorrow = await dayIn(page, 1);
  const inThree = await dayIn(page, 3);
  const inFive = await dayIn(page, 5);

  const task = async (fields, account) => {
    await page.getByTestId('nav-tasks').click();
    await page.getByTestId('new-task').click();
    await anna.fill(fields);
    if (account) {
      await page.getByTestId('field-account').fill(account.slice(0, 6));
      await page.getByTestId('ref-match').filter({ hasText: account }).first().click();
    }
    await anna.save();
    await expect(page).toHaveURL(/#\/tasks\/[0-9a-f]{32}$/);
  };
  await task({ title: 'Visita Osteria', type: 'visit', due: tomorrow, time: '10:30' }, 'Osteria del Ponte');
  await task({ title: 'Visita Garibaldi', type: 'visit', due: inFive }, 'Caffè Garibaldi');
  await task({ title: 'Richiamare Giulia', type: 'call', due: inThree });
  await task({ title: 'Preventivo senza data', type: 'task' });
  await task({ title: 'Già fatto', type: 'call', due: tomorrow });
  await page.getByTestId('field-done').check();
  await anna.save();

  const out = await download(page, 'export-ics');
  expect(out.name).toMatch(/^campo-calendar-\d{4}-\d{2}-\d{2}\.ics$/);
  // Unfold continuation lines (RFC 5545 §3.1), then split into components.
  const lines = out.text.replace(/\r\n[ \t]/g, '').split('\r\n');
  expect(lines[0]).toBe('BEGIN:VCALENDAR');
  const items = [];
  let current = null;
  for (const line of lines) {
    const m = line.match(/^BEGIN:(VEVENT|VTODO)$/);
    if (m) { current = { type: m[1] }; continue; }
    if (/^END:(VEVENT|VTODO)$/.test(line)) { items.push(current); current = null; continue; }
    if (current) {
      const at = line.indexOf(':');
      current[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  // Open tasks with a date only: not the one without a date, not the done one.
  expect(items.map((i) => i.SUMMARY).sort()).toEqual(['Richiamare Giulia', 'Visita Garibaldi', 'Visita Osteria']);
  const get = (summary) => items.find((i) => i.SUMMARY === summary);
  const compact = (iso) => iso.replaceAll('-', '');
  const nextDay = (iso) => {
    const d = new Date(`${iso}T12:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return compact(d.toISOString().slice(0, 10));
  };

  // A timed visit: an event at 10:30 in Rome, written in UTC.
  const osteria = get('Visita Osteria');
  expect(osteria.type).toBe('VEVENT');
  const utc = await page.evaluate((day) => {
    const [y, m, d] = day.split('-').map(Number);
    return new Date(y, m - 1, d, 10, 30).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  }, tomorrow);
  expect(osteria.DTSTART).toBe(utc);
  expect(osteria.DTSTART).toMatch(/T0[89]3000Z$/); // Rome is UTC+1 or +2
  expect(osteria.DURATION).toMatch(/^PT\d+M$/);
  expect(osteria.LOCATION).toBe('Verona');
  expect(osteria.DESCRIPTION).toBe('Osteria del Ponte');
  expect(osteria.UID).toMatch(/^[0-9a-f]{32}@campo$/);

  // An all-day visit: a date, ending (exclusively) the next day.
  const garibaldi = get('Visita Garibaldi');
  expect(garibaldi.type).toBe('VEVENT');
  expect(garibaldi['DTSTART;VALUE=DATE']).toBe(compact(inFive));
  expect(garibaldi['DTEND;VALUE=DATE']).toBe(nextDay(inFive));
  expect(garibaldi.LOCATION).toBe('Padova');

  // A call is a to-do due that day.
  const call = get('Richiamare Giulia');
  expect(call.type).toBe('VTODO');
  expect(call['DUE;VALUE=DATE']).toBe(compact(inThree));
  expect(anna.errors).toEqual([]);
});
