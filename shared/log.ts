// Structured logging for processes that are not fastify servers (fastify servers pass the same
// options to fastify so every role logs the same way): pino, JSON lines, one destination.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

export interface LogOptions {
  readonly level: LevelWithSilent | string;
  /** File to append to; stderr when absent. */
  readonly file?: string;
  readonly name?: string;
}

export function createLogger(opts: LogOptions): Logger {
  const destination = opts.file ? pino.destination({ dest: opts.file, mkdir: true, sync: false }) : pino.destination(2);
  return pino({ level: opts.level, ...(opts.name ? { name: opts.name } : {}) }, destination);
}

/** Options object to hand to fastify({ logger }) so servers log like the rest. */
export function fastifyLoggerOptions(opts: LogOptions): { level: string; name?: string; file?: string } {
  return { level: opts.level, ...(opts.name ? { name: opts.name } : {}), ...(opts.file ? { file: opts.file } : {}) };
}
