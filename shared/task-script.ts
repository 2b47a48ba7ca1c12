// What a simulated run of a task script yields: smp-lab agents do not execute scripts; they read
// `sleep N`, `echo TEXT` and `exit N` lines of the script to draw the run's duration, output and
// exit code (explicit fields of the task definition win). Pure; bounded output.
export interface SimulatedRun {
  readonly durationMs: number;
  readonly exitCode: number;
  readonly output: string;
}

const MAX_DURATION_MS = 86_400_000;
const MAX_OUTPUT = 4096;

export function simulateScript(script: string): SimulatedRun {
  let durationMs = 0;
  let exitCode = 0;
  const out: string[] = [];
  for (const raw of script.split(/\r?\n|;/)) {
    const line = raw.trim();
    const sleep = /^(?:sleep|timeout(?:\s+\/t)?|Start-Sleep(?:\s+-Seconds)?)\s+(\d+(?:\.\d+)?)(ms|s)?\b/i.exec(line);
    const echo = /^(?:echo|Write-Output|Write-Host)\s+(.*)$/i.exec(line);
    const exit = /^exit\s+(-?\d+)\b/i.exec(line);
    if (sleep?.[1] !== undefined) durationMs += Number(sleep[1]) * (sleep[2] === 'ms' ? 1 : 1000);
    else if (echo?.[1] !== undefined) out.push(echo[1].replace(/^(["'])(.*)\1$/, '$2'));
    else if (exit?.[1] !== undefined) {
      exitCode = Number(exit[1]);
      break;
    }
  }
  return {
    durationMs: Math.min(Math.round(durationMs), MAX_DURATION_MS),
    exitCode,
    output: Buffer.from(out.join('\n')).subarray(0, MAX_OUTPUT).toString('utf8'),
  };
}
