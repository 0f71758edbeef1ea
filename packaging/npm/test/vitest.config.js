// One emulator for the suite, started by the global set-up (identity.test.js reaches it through
// `inject`); reset.test.js starts one of its own to reset between its tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['./global-setup.js'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
