// Campo's browser tests: the real app (release build in dist/) served by the real
// relay (target/release/campo-relay), driven in the system's headless Chromium.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.js',
  // Two cores: one browser at a time keeps timings honest.
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: [['list']],
  use: {
    headless: true,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      // The machine has no outside network: keep Chromium from trying to reach it.
      args: [
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
        '--disable-gpu',
      ],
    },
  },
});
