import { defineConfig } from '@playwright/test';
import base from './playwright.config';

/** `make bench` only: measurements that print figures, never pass/fail on
 * speed. Same server and browser as the journeys. */
export default defineConfig({
  ...base,
  testDir: './bench',
  timeout: 300_000,
});
