// The training lab of compose.yaml brought up and torn down (tools/lab-podman.ts, the container test, bench:containers). With docker
// it is `docker compose` itself. With podman it is the same file's services run by plain podman commands,
// because Debian bookworm's podman-compose (1.0.3) drops ipam subnets and ipv4_address, which the lab's
// routes need. Only the compose keys compose.yaml uses are read; anything else is an error, not ignored.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { engineRun, run, type Engine } from './container-engine.js';

interface Service {
  image: string;
  user?: string;
  entrypoint?: string[];
  command?: string[];
  environment?: Record<string, string>;
  cap_add?: string[];
  sysctls?: Record<string, string>;
  ulimits?: Record<string, { soft: number; hard: number }>;
  volumes?: string[];
  ports?: string[];
  extra_hosts?: string[];
  healthcheck?: { disable?: boolean };
  depends_on?: string[];
  restart?: string;
  networks: Record<string, { ipv4_address: string }>;
}

interface ComposeFile {
  services: Record<string, Service>;
  networks: Record<string, { ipam: { config: { subnet: string }[] } }>;
  volumes?: Record<string, unknown>;
}

const KNOWN_KEYS = new Set(['image', 'user', 'entrypoint', 'command', 'environment', 'cap_add', 'sysctls', 'ulimits',
  'volumes', 'ports', 'extra_hosts', 'healthcheck', 'depends_on', 'restart', 'networks']);

/** `${NAME}` and `${NAME:-default}` as compose interpolates them. */
export function interpolate(text: string, vars: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, def?: string) => {
    const v = vars[name];
    return v !== undefined && v !== '' ? v : (def ?? '');
  });
}

export function loadCompose(file: string, vars: Readonly<Record<string, string | undefined>>): ComposeFile {
  const doc = parse(interpolate(readFileSync(file, 'utf8'), vars), { merge: true }) as ComposeFile;
  for (const [name, s] of Object.entries(doc.services)) {
    const extra = Object.keys(s).filter((k) => !KNOWN_KEYS.has(k));
    if (extra.length > 0) throw new Error(`compose-lab: service ${name} uses ${extra.join(', ')}, which this runner does not read`);
  }
  return doc;
}

/** Services in an order that starts each after what it depends on. */
function startOrder(services: Record<string, Service>): string[] {
  const out: string[] = [];
  const visit = (name: string, path: string[]): void => {
    if (out.includes(name)) return;
    if (path.includes(name)) throw new Error(`compose-lab: depends_on cycle ${[...path, name].join(' -> ')}`);
    for (const d of services[name]?.depends_on ?? []) visit(d, [...path, name]);
    out.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return out;
}

export interface LabOptions {
  readonly engine: Engine;
  readonly file: string;
  readonly project: string;
  readonly vars: Readonly<Record<string, string>>;
}

export class ComposeLab {
  readonly label: string;
  private readonly doc: ComposeFile;

  constructor(private readonly o: LabOptions) {
    this.label = `com.docker.compose.project=${o.project}`;
    this.doc = loadCompose(o.file, o.vars);
  }

  container(service: string): string {
    return this.o.engine.kind === 'docker' ? `${this.o.project}-${service}-1` : `${this.o.project}_${service}`;
  }

  async up(): Promise<void> {
    if (this.o.engine.kind === 'docker') {
      await this.compose(['up', '--detach', '--no-build']);
      return;
    }
    const e = this.o.engine;
    for (const [name, n] of Object.entries(this.doc.networks)) {
      const subnet = n.ipam.config[0]!.subnet;
      await engineRun(e, ['network', 'create', '--label', this.label, '--subnet', subnet, `${this.o.project}_${name}`]);
    }
    for (const name of Object.keys(this.doc.volumes ?? {})) {
      await engineRun(e, ['volume', 'create', '--label', this.label, `${this.o.project}_${name}`]);
    }
    for (const name of startOrder(this.doc.services)) await engineRun(e, this.runArgs(name, this.doc.services[name]!));
  }

  private runArgs(name: string, s: Service): string[] {
    const a = ['run', '--detach', '--name', this.container(name), '--hostname', name, '--label', this.label,
      '--user', s.user ?? 'smp'];
    for (const c of s.cap_add ?? []) a.push('--cap-add', c);
    for (const [k, v] of Object.entries(s.sysctls ?? {})) a.push('--sysctl', `${k}=${v}`);
    // The ulimits podman needs on these hosts (no CAP_SYS_RESOURCE): every limit explicit.
    const limits = { nproc: { soft: 1024, hard: 1024 }, ...s.ulimits };
    for (const [k, v] of Object.entries(limits)) a.push('--ulimit', `${k}=${v.soft}:${v.hard}`);
    for (const [k, v] of Object.entries(s.environment ?? {})) a.push('--env', `${k}=${v}`);
    for (const [net, n] of Object.entries(s.networks)) a.push('--network', `${this.o.project}_${net}:ip=${n.ipv4_address}`);
    for (const h of s.extra_hosts ?? []) a.push('--add-host', h);
    for (const p of s.ports ?? []) a.push('--publish', p);
    for (const v of s.volumes ?? []) a.push('--volume', this.volumeArg(v));
    if (s.healthcheck?.disable === true) a.push('--no-healthcheck');
    if (s.entrypoint !== undefined) a.push('--entrypoint', JSON.stringify(s.entrypoint));
    return [...a, s.image, ...(s.command ?? [])];
  }

  private volumeArg(spec: string): string {
    const [src, ...rest] = spec.split(':');
    if (src === undefined) throw new Error(`compose-lab: bad volume ${spec}`);
    const named = !src.startsWith('.') && !isAbsolute(src);
    const from = named ? `${this.o.project}_${src}` : resolve(dirname(this.o.file), src);
    return [from, ...rest].join(':');
  }

  /** `exec SERVICE argv...` as the image's user. */
  exec(service: string, argv: readonly string[], timeoutMs = 60_000, user = 'smp') {
    if (this.o.engine.kind === 'docker') return this.composeRun(['exec', '-T', '--user', user, service, ...argv], timeoutMs);
    return run([...this.o.engine.argv, 'exec', '--user', user, this.container(service), ...argv], { timeoutMs });
  }

  async logs(service: string): Promise<string> {
    const r = await run([...this.o.engine.argv, 'logs', this.container(service)], { timeoutMs: 30_000 });
    return r.stdout + r.stderr;
  }

  /** Removes every container, network and volume of the project; returns what failed, if anything. */
  async down(): Promise<string[]> {
    const e = this.o.engine;
    if (e.kind === 'docker') {
      const r = await this.composeRun(['down', '--volumes', '--timeout', '10'], 120_000);
      return r.code === 0 ? [] : [r.stderr.trim()];
    }
    const failed: string[] = [];
    const names = async (what: string[]): Promise<string[]> => (await this.labelled(what)).map((l) => l.replace(/^\S+ /, ''));
    const rm = async (args: string[]): Promise<void> => {
      const r = await run([...e.argv, ...args], { timeoutMs: 120_000 });
      if (r.code !== 0) failed.push(`${args.join(' ')}: ${r.stderr.trim()}`);
    };
    const cs = await names(['ps', '--all']);
    if (cs.length > 0) await rm(['rm', '--force', '--volumes', '--time', '5', ...cs]);
    const nets = await names(['network', 'ls']);
    if (nets.length > 0) await rm(['network', 'rm', ...nets]);
    const vols = await names(['volume', 'ls']);
    if (vols.length > 0) await rm(['volume', 'rm', '--force', ...vols]);
    return failed;
  }

  /** Containers, networks and volumes that still carry the project's label. */
  async leftovers(): Promise<string[]> {
    const lists = [['ps', '--all'], ['network', 'ls'], ['volume', 'ls']];
    return (await Promise.all(lists.map((l) => this.labelled(l)))).flat();
  }

  /** `KIND NAME` of each object the list command shows with the project's label. */
  private async labelled(list: string[]): Promise<string[]> {
    const kind = list[0] === 'ps' ? 'container' : list[0]!;
    const format = kind === 'container' ? '{{.Names}}' : '{{.Name}}';
    const r = await run([...this.o.engine.argv, ...list, '--filter', `label=${this.label}`, '--format', format],
      { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`${list.join(' ')} failed: ${r.stderr.trim()}`);
    return r.stdout.split('\n').filter((l) => l !== '').map((n) => `${kind} ${n}`);
  }

  private composeRun(args: string[], timeoutMs: number) {
    return run([...this.o.engine.argv, 'compose', '--project-name', this.o.project, '--file', this.o.file, ...args],
      { timeoutMs, env: { ...this.o.vars } });
  }

  private async compose(args: string[]): Promise<void> {
    const r = await this.composeRun(args, 300_000);
    if (r.code !== 0) throw new Error(`docker compose ${args.join(' ')} failed: ${r.stderr.trim()}`);
  }
}

/** Two free /24s (first three octets) for the lab's networks: not a route of this host, not an engine network. */
export async function freeLabNets(engine: Engine, seed: number): Promise<{ servers: string; clients: string }> {
  const routes = (await run(['ip', '-4', 'route', 'show'], { timeoutMs: 10_000 })).stdout;
  const nets = (await run([...engine.argv, 'network', 'ls', '--format', '{{.Name}}'], { timeoutMs: 30_000 })).stdout
    .split('\n').filter((n) => n !== '');
  const used = nets.length === 0 ? '' : (await run([...engine.argv, 'network', 'inspect', '--format',
    engine.kind === 'podman' ? '{{range .Subnets}}{{.Subnet}} {{end}}' : '{{range .IPAM.Config}}{{.Subnet}} {{end}}', ...nets],
  { timeoutMs: 30_000 })).stdout;
  const free = (prefix: string): boolean => !routes.includes(`${prefix}.`) && !used.includes(`${prefix}.`);
  for (let i = 0; i < 120; i++) {
    const x = 16 + ((seed + i) % 120) * 2;
    const servers = `172.31.${x}`;
    const clients = `172.31.${x + 1}`;
    if (free(servers) && free(clients)) return { servers, clients };
  }
  throw new Error('compose-lab: no two free /24s among 172.31.16.0-172.31.255.0');
}
