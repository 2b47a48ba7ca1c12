// Help text for the command and for each verb, generated from the verbs' option specs so the help,
// the README command reference and the parser never disagree.
import { envOf, flagOf, type OptionSpecs } from '../shared/config.js';
import type { Verb } from './verb.js';

export function verbHelp(v: Verb): string {
  const lines = [`smp-lab ${v.name} ${v.usage ?? '[options]'}`, '', v.summary];
  if (v.description) lines.push('', v.description);
  lines.push('', 'Options:');
  lines.push(...optionLines(v.options));
  lines.push(`  ${'-h, --help'.padEnd(34)} show this help`);
  return lines.join('\n') + '\n';
}

export function optionLines(options: OptionSpecs): string[] {
  return Object.entries(options).map(([key, s]) => {
    const flag = `${s.short ? `-${s.short}, ` : '    '}--${flagOf(key, s)}${s.type === 'bool' ? '' : ` ${s.arg ?? 'VALUE'}`}`;
    const extra: string[] = [];
    if (s.choices && s.type !== 'bool') extra.push(s.choices.join('|'));
    if (s.default !== undefined && s.default !== false) extra.push(`default ${JSON.stringify(s.default)}`);
    if (!s.noEnv) extra.push(`env ${envOf(key)}`);
    return `  ${flag.padEnd(34)} ${s.help}${extra.length ? ` (${extra.join('; ')})` : ''}`;
  });
}

export function mainHelp(verbs: readonly Verb[], version: string): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    `smp-lab ${version}: Symantec Management Platform 7.x on real sockets`,
    '',
    'Usage: smp-lab VERB [options]      smp-lab VERB --help for a verb\'s options',
    '',
    'Verbs:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
  ].join('\n');
}
