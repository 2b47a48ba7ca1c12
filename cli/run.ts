// Runs one command line against the verb registry; used by main.ts and by tests in-process.
import { resolveConfig } from '../shared/config.js';
import { ERRORS, isSmpError } from '../shared/errors.js';
import { mainHelp, verbHelp } from './help.js';
import type { VerbContext } from './verb.js';
import { VERBS, otherConfigKeys } from './verbs/index.js';

export async function runCli(argv: readonly string[], ctx: VerbContext, version: string): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.stdout.write(mainHelp(VERBS, version));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    ctx.stdout.write(`${version}\n`);
    return 0;
  }
  const verb = VERBS.find((v) => v.name === name);
  if (verb === undefined) {
    ctx.stderr.write(`smp-lab: unknown verb "${name}"; one of ${VERBS.map((v) => v.name).join(', ')}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    ctx.stdout.write(verbHelp(verb));
    return 0;
  }
  try {
    const { config, positionals } = resolveConfig(verb.options, {
      argv: rest, env: ctx.env, verb: verb.name, otherKeys: otherConfigKeys(verb.name),
      positionals: verb.positionals ?? false,
    });
    return await verb.run(config, positionals, ctx);
  } catch (err) {
    if (isSmpError(err)) {
      ctx.stderr.write(`smp-lab ${verb.name}: ${err.message}\n`);
      return err.exitCode;
    }
    const sys = err as NodeJS.ErrnoException;
    if (typeof sys.code === 'string' && (sys.syscall === 'listen' || sys.syscall === 'bind')) {
      // A listener without its own bind message: still one line, never a stack trace.
      ctx.stderr.write(`smp-lab ${verb.name}: cannot bind: ${sys.message}; move it with --port FLOW=PORT or --port-offset K\n`);
      return ERRORS.BIND.exitCode;
    }
    ctx.stderr.write(`smp-lab ${verb.name}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
