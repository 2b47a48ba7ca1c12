// The commands a verb prints for the user to try next: spelled `smp-lab ...` when that command is on
// PATH (a global or linked install), else `npx smp-lab ...` (a clone after `npm install`), with every
// port override the run itself was given, so the printed line works as printed.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** `smp-lab` when PATH has it, else `npx smp-lab`. */
export function commandName(env: Readonly<Record<string, string | undefined>>): string {
  for (const dir of (env['PATH'] ?? '').split(':')) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, 'smp-lab'), constants.X_OK);
      return 'smp-lab';
    } catch {
      // not in this folder
    }
  }
  return 'npx smp-lab';
}

/** ` --port-offset K --port FLOW=PORT ...`: the port options of this run, for a hint's command line. */
export function portArgs(offset: number, perFlow: Readonly<Record<string, number>> = {}): string {
  return [` --port-offset ${offset}`, ...Object.entries(perFlow).map(([flow, port]) => ` --port ${flow}=${port}`)].join('');
}
