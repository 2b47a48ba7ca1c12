// Creates a folder and its missing parents one level at a time. Node's own `mkdir(..., { recursive: true })`
// spins forever (and ignores signals) where a parent answers ENOENT to mkdir, as /proc does; here such a
// folder fails at once with the system's error. Returns whether a folder was made.
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const code = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

/** The folders to make, outermost first (empty when `dir` exists). */
async function missing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (let cur = resolve(dir); ; cur = dirname(cur)) {
    try {
      await stat(cur);
      return out.reverse();
    } catch (err) {
      if (code(err) !== 'ENOENT' || dirname(cur) === cur) throw err;
      out.push(cur);
    }
  }
}

function missingSync(dir: string): string[] {
  const out: string[] = [];
  for (let cur = resolve(dir); ; cur = dirname(cur)) {
    try {
      statSync(cur);
      return out.reverse();
    } catch (err) {
      if (code(err) !== 'ENOENT' || dirname(cur) === cur) throw err;
      out.push(cur);
    }
  }
}

export async function makeDir(dir: string, mode?: number): Promise<boolean> {
  const todo = await missing(dir);
  for (const d of todo) {
    await mkdir(d, mode === undefined ? {} : { mode }).catch((err: unknown) => {
      if (code(err) !== 'EEXIST') throw err;
    });
  }
  return todo.length > 0;
}

export function makeDirSync(dir: string, mode?: number): boolean {
  const todo = missingSync(dir);
  for (const d of todo) {
    try {
      mkdirSync(d, mode === undefined ? {} : { mode });
    } catch (err) {
      if (code(err) !== 'EEXIST') throw err;
    }
  }
  return todo.length > 0;
}
