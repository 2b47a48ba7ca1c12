#!/usr/bin/env node
// Entry point of the `smp-lab` command: picks the verb, resolves its configuration and maps errors
// to one line on stderr and an exit code (2 for usage and configuration errors).
import { readFileSync } from 'node:fs';
import { runCli } from './run.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const controller = new AbortController();
let signals = 0;
const stop = (): void => {
  signals += 1;
  if (signals > 1) process.exit(130);
  controller.abort();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
}, pkg.version);
process.exitCode = code;
