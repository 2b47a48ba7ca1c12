// The package multicast master election score of a simulated agent (docs/protocol.md section 3): the
// public criteria (CPU count and frequency, free RAM, +25 % for a server OS) from a hardware profile
// derived from the agent's GUID alone, so the same fleet elects the same masters on every run.
import { createHash } from 'node:crypto';
import type { AgentIdentity } from './identity.js';

export interface HardwareProfile {
  readonly cpus: number;
  readonly mhz: number;
  readonly freeRamMiB: number;
  readonly serverOs: boolean;
}

const CPU_COUNTS = [2, 4, 4, 8, 8, 16] as const;

export function hardwareProfile(id: AgentIdentity): HardwareProfile {
  const h = createHash('sha256').update(`smp-lab hardware\0${id.guid}`).digest();
  return {
    cpus: CPU_COUNTS[h[0]! % CPU_COUNTS.length]!,
    mhz: 1800 + (h.readUInt16BE(1) % 2200),
    freeRamMiB: 512 + (h.readUInt16BE(3) % 31_745),
    serverOs: /server/i.test(id.os.name),
  };
}

/** Election score (u32): CPU count x MHz / 10 + free MiB / 8, times 1.25 on a server OS; higher wins. */
export function multicastRank(id: AgentIdentity): number {
  const p = hardwareProfile(id);
  const score = (p.cpus * p.mhz) / 10 + p.freeRamMiB / 8;
  return Math.floor(score * (p.serverOs ? 1.25 : 1)) >>> 0;
}
