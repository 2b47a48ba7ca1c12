// The one place tests set the console's lab account: every test NS (startTestNs, task labs, the CLI
// started through test/helpers/cli.ts) uses this password, and these helpers add it to admin calls.
export const TEST_CONSOLE_USER = 'admin';
export const TEST_CONSOLE_PASSWORD = 'smp-lab-test-console';

export const basicAuth = (user = TEST_CONSOLE_USER, password = TEST_CONSOLE_PASSWORD): string =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Headers of an admin API call with the test credentials (merged over `extra`). */
export const adminHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({ ...extra, authorization: basicAuth() });

/** Environment of a `smp-lab` child: its NS and its admin API calls use the test password. */
export const CONSOLE_ENV: Readonly<Record<string, string>> = { SMP_LAB_CONSOLE_PASSWORD: TEST_CONSOLE_PASSWORD };
