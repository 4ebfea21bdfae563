// Campo as an installed app: the manifest the relay serves has what Chromium,
// Android and iOS ask for, its icons load at the sizes it claims, Chromium finds
// the page installable, and a new version is announced rather than swapped in:
// the page keeps what the rep is typing until they press Reload, and then the new
// service worker takes over.
import { test, expect, chromium } from '@playwright/test';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Relay, Rep, distDir } from './harness.js';

/** Width and height from a PNG's IHDR chunk; fails on anything that is not a PNG. */
function pngSize(buffer) {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(buffer.subarray(0, 8).equals(signature), 'a PNG signature').toBe(true);
  expect(buffer.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return `${buffer.readUInt32BE(16)}x${buffer.readUInt32BE(20)}`;
}

/** Waits until a service worker controls the page. */
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 30_000 });
}

test.describe('installing', () => {
  let relay, rep;

  test.beforeAll(async ({ browser }) => {
    relay = await Relay.start();
    rep = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  });

  test.afterAll(async () => {
    await rep?.close();
    await relay?.stop();
  });

  test('the manifest names the app, its colours, standalone display and icons that load', async () => {
    const page = rep.page;
    await page.goto('/');
    const href = await page.locator('link[rel=manifest]').getAttribute('href');
    const res = await page.request.get(href);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toMatch(/^application\/manifest\+json/);
    const manifest = await res.json();

    expect(manifest.name).toBe('Campo');
    expect(manifest.short_name).toBe('Campo');
    expect(manifest.start_url).toBe('/');
    expect(manifest.scope).toBe('/');
    expect(manifest.display).toBe('standalone');
    // The same colour as the page's theme-color, so the title bar does not change
    // colour when the app opens.
    expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
    await expect(page.locator('meta[name=theme-color]')).toHaveAttribute('content', manifest.theme_color);
    expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/i);

    // Chromium and Android want 192 and 512 px PNGs and a maskable one for the
    // adaptive launcher shape; the SVG serves any other size.
    const icons = manifest.icons;
    const find = (size, purpose) => icons.find((i) => i.sizes === size && i.type === 'image/png'
      && (i.purpose ?? 'any').split(' ').includes(purpose));
    expect(find('192x192', 'any'), '192 px icon').toBeTruthy();
    expect(find('512x512', 'any'), '512 px icon').toBeTruthy();
    expect(find('512x512', 'maskable'), 'maskable icon').toBeTruthy();
    expect(icons.some((i) => i.type === 'image/svg+xml' && i.sizes === 'any')).toBe(true);
    for (const icon of icons) {
      const got = await page.request.get(new URL(icon.src, res.url()).href);
      expect(got.status(), icon.src).toBe(200);
      expect(got.headers()['content-type'], icon.src).toBe(icon.type);
      const body = await got.body();
      if (icon.type === 'image/png') expect(pngSize(body), icon.src).toBe(icon.sizes);
      else expect(body.toString('utf8'), icon.src).toContain('<svg');
    }
    // The maskable icon is opaque: a launcher's mask must never cut into transparency.
    // (Colour type 2 is RGB without alpha.)
    const maskable = await (await page.request.get(find('512x512', 'maskable').src)).body();
    expect(maskable[25], 'maskable icon colour type').toBe(2);

    // iOS reads its home-screen icon from the page, not the manifest.
    const touch = await page.locator('link[rel=apple-touch-icon]').getAttribute('href');
    const touchIcon = await page.request.get(touch);
    expect(touchIcon.status()).toBe(200);
    expect(pngSize(await touchIcon.body())).toMatch(/^(180x180|192x192)$/);
  });

  test('Chromium reports the app installable, with the manifest it parsed', async ({ browserName }, testInfo) => {
    // Chromium never offers to install from an incognito profile, which is what
    // a test's browser context is: this one gets a profile on disk.
    expect(browserName).toBe('chromium');
    const profile = mkdtempSync(join(tmpdir(), 'campo-e2e-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      ...testInfo.project.use.launchOptions,
      headless: true,
      baseURL: `http://127.0.0.1:${relay.port}`,
    });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto('/');
      await controlled(page);
      const cdp = await context.newCDPSession(page);
      const manifest = await cdp.send('Page.getAppManifest');
      expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);
      expect(manifest.errors).toEqual([]);
      // Installability is judged once the page and its manifest have loaded.
      await expect.poll(async () => (await cdp.send('Page.getInstallabilityErrors')).installabilityErrors,
        { timeout: 20_000 }).toEqual([]);
      await cdp.detach();
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

test.describe('updating', () => {
  let site, relay, rep;

  test.beforeAll(async ({ browser }) => {
    // A copy of the build that this test changes as a new release would.
    site = mkdtempSync(join(tmpdir(), 'campo-e2e-site-'));
    cpSync(distDir, site, { recursive: true });
    relay = await Relay.start({ staticDir: site });
    rep = await Rep.open(browser, relay, 'Anna', 'acme', relay.token('acme', 'Anna'));
  });

  test.afterAll(async () => {
    await rep?.close();
    await relay?.stop();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  /** The service worker's cache names: one per version. */
  const cacheNames = (page) => page.evaluate(() => caches.keys());

  test('a new version is announced, waits for the rep, and takes over on Reload', async () => {
    const page = rep.page;
    await rep.signIn();
    await controlled(page);
    const swPath = join(site, 'sw.js');
    const original = readFileSync(swPath, 'utf8');
    const oldVersion = original.match(/const VERSION = "([0-9a-f]{16})";/)[1];
    await expect.poll(() => cacheNames(page)).toEqual([`campo-${oldVersion}`]);
    await expect(page.getByTestId('update-ready')).toHaveCount(0);

    // The rep is half way through typing a search.
    await rep.toList();
    await page.getByTestId('search').fill('Bar Ro');
    await page.evaluate(() => { window.campoSamePage = true; });

    // A new release: the service worker's content hash changes.
    const newVersion = oldVersion.split('').reverse().join('');
    expect(newVersion).not.toBe(oldVersion);
    writeFileSync(swPath, original.replace(`const VERSION = "${oldVersion}";`, `const VERSION = "${newVersion}";`));
    await page.evaluate(async () => { await (await navigator.serviceWorker.getRegistration()).update(); });

    // The new worker installed its cache and waits; the banner says so, in the
    // page the rep was using, with what they typed still there.
    await expect(page.getByTestId('update-ready')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('update-ready')).toHaveAttribute('role', 'status');
    await expect.poll(() => cacheNames(page)).toEqual(expect.arrayContaining([`campo-${oldVersion}`, `campo-${newVersion}`]));
    const state = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { waiting: reg.waiting?.state ?? null, same: window.campoSamePage === true };
    });
    expect(state).toEqual({ waiting: 'installed', same: true });
    await expect(page.getByTestId('search')).toHaveValue('Bar Ro');
    // Still waiting a moment later: nothing swaps it in behind the rep's back.
    await page.waitForTimeout(1_000);
    expect(await page.evaluate(() => window.campoSamePage === true)).toBe(true);

    // Reload: the new worker takes over, the page reloads once, the old cache is gone.
    await Promise.all([
      page.waitForEvent('load'),
      page.getByTestId('update-reload').click(),
    ]);
    expect(await page.evaluate(() => window.campoSamePage === undefined)).toBe(true);
    await controlled(page);
    await expect.poll(() => cacheNames(page)).toEqual([`campo-${newVersion}`]);
    const after = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { waiting: reg.waiting, active: reg.active?.state };
    });
    expect(after).toEqual({ waiting: null, active: 'activated' });
    // The app starts again, signed in, with no banner.
    await expect(rep.status()).toHaveAttribute('data-state', 'synced');
    await expect(page.getByTestId('update-ready')).toHaveCount(0);
    expect(rep.errors).toEqual([]);
  });
});
