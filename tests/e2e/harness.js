// Test harness: a real relay on a random port with its own data directory, tokens
// made by its own subcommand, and one cuttable TCP proxy per simulated device.
//
// Why a proxy: Chromium's offline emulation does not reliably cut an open
// WebSocket, so a rep "goes offline" by having the proxy drop every connection
// and refuse new ones; the page also gets `context.setOffline(true)` so the app
// sees `navigator.onLine === false` like on a real tablet.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { expect } from '@playwright/test';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const relayBin = process.env.CAMPO_RELAY || join(root, 'target/release/campo-relay');
/** The built app the relay serves: `dist/`, or another build given by `CAMPO_DIST`. */
export const distDir = process.env.CAMPO_DIST ? resolve(process.env.CAMPO_DIST) : join(root, 'dist');

export class Relay {
  /** Starts a relay serving `staticDir` (default: the built app). */
  static async start({ staticDir = distDir } = {}) {
    const relay = new Relay();
    relay.staticDir = staticDir;
    relay.data = mkdtempSync(join(tmpdir(), 'campo-e2e-'));
    await relay.#spawn();
    return relay;
  }

  async #spawn() {
    this.proc = spawn(relayBin, ['serve', '--listen', '127.0.0.1:0', '--data', this.data,
      '--static-dir', this.staticDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.port = await new Promise((ok, fail) => {
      let out = '';
      const timer = setTimeout(() => fail(new Error(`relay did not start: ${out}`)), 20_000);
      this.proc.stdout.on('data', (chunk) => {
        out += chunk;
        const m = out.match(/listening on http:\/\/[\d.]+:(\d+)/);
        if (m) { clearTimeout(timer); ok(Number(m[1])); }
      });
      this.proc.on('exit', (code) => fail(new Error(`relay exited with ${code}: ${out}`)));
    });
  }

  token(team, rep) {
    return execFileSync(relayBin, ['token', 'create', '--team', team, '--rep', rep, '--data', this.data])
      .toString().trim();
  }

  async stop() {
    this.proc.kill('SIGTERM');
    await new Promise((ok) => (this.proc.exitCode !== null ? ok() : this.proc.on('exit', ok)));
    rmSync(this.data, { recursive: true, force: true });
  }
}

export class CuttableProxy {
  static async start(targetPort) {
    const proxy = new CuttableProxy();
    proxy.target = targetPort;
    proxy.down = false;
    proxy.sockets = new Set();
    proxy.server = net.createServer((client) => proxy.#accept(client));
    await new Promise((ok) => proxy.server.listen(0, '127.0.0.1', ok));
    proxy.port = proxy.server.address().port;
    return proxy;
  }

  #accept(client) {
    if (this.down) { client.destroy(); return; }
    const upstream = net.connect(this.target, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    // Forward each write as it comes, as a network would (no Nagle delay here).
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Drops every open connection and refuses new ones. */
  cut() {
    this.down = true;
    for (const s of this.sockets) s.destroy();
  }

  restore() { this.down = false; }

  async close() {
    this.cut();
    await new Promise((ok) => this.server.close(ok));
  }
}

/** One rep on one device: a browser context behind its own proxy. */
export class Rep {
  /** `options` are the browser context's beyond its address and locale (a viewport, a time zone…). */
  static async open(browser, relay, name, team, token, options = {}) {
    const rep = new Rep();
    rep.name = name;
    rep.team = team;
    rep.token = token;
    rep.proxy = await CuttableProxy.start(relay.port);
    rep.context = await browser.newContext({
      baseURL: `http://127.0.0.1:${rep.proxy.port}`, locale: 'en-US', ...options,
    });
    rep.page = await rep.context.newPage();
    rep.page.on('pageerror', (e) => { rep.errors.push(String(e)); });
    rep.errors = [];
    return rep;
  }

  status() { return this.page.getByTestId('sync-status'); }

  async signIn() {
    await this.page.goto('/');
    await this.page.getByTestId('signin-team').fill(this.team);
    await this.page.getByTestId('signin-token').fill(this.token);
    await this.page.getByTestId('signin-submit').click();
    await expect(this.status()).toHaveAttribute('data-state', 'synced');
  }

  async offline() {
    this.proxy.cut();
    await this.context.setOffline(true);
    await expect(this.status()).toHaveAttribute('data-state', 'offline');
  }

  async online() {
    this.proxy.restore();
    await this.context.setOffline(false);
    await expect(this.status()).toHaveAttribute('data-state', 'synced', { timeout: 20_000 });
  }

  /** The accounts list, whatever view the app is showing (waits for the app to start). */
  async toList() {
    await expect(this.status()).toBeVisible();
    await this.page.getByTestId('nav-accounts').click();
    await expect(this.page.getByTestId('search')).toBeVisible();
  }

  /** Back to the list, search for `name`, open its record. */
  async open(name) {
    await this.toList();
    await this.page.getByTestId('search').fill(name);
    await this.page.getByTestId('record-row').filter({ hasText: name }).first().click();
    await expect(this.page.getByTestId('field-name')).toHaveValue(name);
  }

  async create(fields) {
    await this.toList();
    await this.page.getByTestId('new-account').click();
    await this.fill(fields);
    await this.save();
  }

  async fill(fields) {
    for (const [key, value] of Object.entries(fields)) {
      const input = this.page.getByTestId(`field-${key}`);
      const tag = await input.evaluate((el) => el.tagName);
      if (tag === 'SELECT') await input.selectOption(value);
      else await input.fill(value);
    }
  }

  async save() {
    await this.page.getByTestId('save-record').click();
    await expect(this.page.locator('[data-testid^="error-"]')).toHaveCount(0);
  }

  async close() {
    await this.context.close();
    await this.proxy.close();
  }
}

/** A team admin's token, made the way an operator makes the first one (`token create --admin`). */
export function adminToken(relay, team, rep) {
  return execFileSync(relayBin, ['token', 'create', '--admin', '--team', team, '--rep', rep, '--data', relay.data])
    .toString().trim();
}
