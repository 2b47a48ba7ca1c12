// `smp-lab deploy kubernetes`: every object it prints, at several sizes and layouts, is valid against the
// Kubernetes schema (kubernetes-models, the published OpenAPI schemas), and a broken object is not; the
// fleet Job covers the fleet as N indexed shards; the committed deploy/kubernetes/ files are what the
// verb prints; bad input is one line and exit 2.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { MEASURED, podResources } from '../../deploy/manifests/index.js';
import { runInProcess } from '../helpers/cli.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string }; [k: string]: unknown };

/** The model class of each kind the generator may print; an unknown kind fails the test. */
function validate(obj: Obj): void {
  // Each model's constructor takes its own typed data; the objects come from YAML, so they are narrowed here.
  const data = obj as never;
  switch (`${obj.apiVersion}/${obj.kind}`) {
    case 'v1/Namespace': return new Namespace(data).validate();
    case 'v1/Secret': return new Secret(data).validate();
    case 'v1/PersistentVolumeClaim': return new PersistentVolumeClaim(data).validate();
    case 'v1/Service': return new Service(data).validate();
    case 'v1/Pod': return new Pod(data).validate();
    case 'apps/v1/Deployment': return new Deployment(data).validate();
    case 'batch/v1/Job': return new Job(data).validate();
    default: throw new Error(`no schema model for ${obj.apiVersion} ${obj.kind}`);
  }
}

async function objectsOf(args: string[]): Promise<Obj[]> {
  const r = await runInProcess(['deploy', 'kubernetes', ...args]);
  if (r.code !== 0) throw new Error(`deploy ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  if (args.includes('json')) return (JSON.parse(r.stdout) as { items: Obj[] }).items;
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Obj).filter((o) => o !== null);
}

const SIZES: Array<[string, string[]]> = [
  ['defaults', []],
  ['1,000,000 agents in 40 shards against an NS elsewhere', ['--agents', '1000000', '--shards', '40', '--ns', 'http://ns.example.com']],
  ['json, a console password, a storage class, a port offset', ['--format', 'json', '--console-password', 'pw', '--storage-class', 'nfs',
    '--port-offset', '10000', '--agents', '500', '--shards', '3']],
  ['agents that keep their connection: workers per pod', ['--agents', '1000000', '--shards', '20', '--idle-sockets', '1000000', '--reg-rate', '5000']],
  ['the fleet only', ['--no-servers', '--ns', 'https://ns.example.com', '--agents', '10', '--shards', '10']],
  ['one pod for podman', ['--format', 'pod', '--agents', '200', '--console-password', 'pw']],
];

for (const [what, args] of SIZES) {
  t.test(`every object validates against the Kubernetes schema: ${what}`, async (t) => {
    const objects = await objectsOf(args);
    t.ok(objects.length > 0);
    for (const obj of objects) t.doesNotThrow(() => validate(obj), `${obj.kind} ${obj.metadata.name}`);
  });
}

t.test('a broken object is rejected by the same validation', async (t) => {
  const objects = await objectsOf([]);
  const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'smp-lab-agents');
  if (job === undefined) throw new Error('no fleet Job');
  const broken = (mutate: (j: { spec: { completions: unknown; template: { spec: { containers: Array<Record<string, unknown>> } } } }) => void): Obj => {
    const copy = structuredClone(job) as Obj & Parameters<typeof mutate>[0];
    mutate(copy);
    return copy;
  };
  t.throws(() => validate(broken((j) => { j.spec.completions = 'forty'; })), /completions/, 'completions must be an integer');
  t.throws(() => validate(broken((j) => { delete j.spec.template.spec.containers[0]!['name']; })), /name/, 'a container needs a name');
  t.throws(() => validate(broken((j) => { j.spec.template.spec.containers[0]!['ports'] = [{ containerPort: '9464x' }]; })),
    /containerPort/, 'a port is a number');
  t.throws(() => validate({ apiVersion: 'batch/v2', kind: 'Job', metadata: { name: 'x' } }), /no schema model/);
});

t.test('the fleet Job: N indexed shards of the whole fleet, sized from the measured figures', async (t) => {
  const objects = await objectsOf(['--agents', '1000000', '--shards', '40', '--ns', 'http://ns.example.com', '--max-p99', '250ms']);
  const job = objects.find((o) => o.metadata.name === 'smp-lab-agents') as Obj & { spec: Record<string, unknown> & {
    template: { metadata: { annotations: Record<string, string> }; spec: { containers: Array<{ args: string[];
      resources: { requests: { memory: string }; limits: { memory: string } } }> } } } };
  t.equal(job.spec['completionMode'], 'Indexed');
  t.equal(job.spec['completions'], 40);
  t.equal(job.spec['parallelism'], 40, 'every shard at once: one fleet');
  const c = job.spec.template.spec.containers[0]!;
  const arg = (flag: string): string | undefined => c.args[c.args.indexOf(flag) + 1];
  t.equal(arg('--shard'), '$(JOB_COMPLETION_INDEX)/40');
  t.equal(arg('--count'), '1000000', 'each shard knows the whole fleet, so identities never overlap');
  t.equal(arg('--ns'), 'http://ns.example.com');
  t.equal(arg('--heap'), 'fast', '25,000 agents per process: the auto heap is fast');
  t.notOk(c.args.includes('--workers'), '1,512 descriptors per process fit 20,000');
  const expected = podResources({ agentsPerProcess: 25_000, workers: 1, heap: 'fast' });
  t.equal(c.resources.requests.memory, expected.requests.memory);
  t.equal(c.resources.limits.memory, expected.limits.memory);
  const mib = MEASURED.fast.baselineMiB + (25_000 * MEASURED.fast.bytesPerAgent) / 2 ** 20;
  t.ok(expected.expectedMiB >= mib && expected.expectedMiB < mib + 16, `request ${expected.expectedMiB} MiB from ${mib.toFixed(1)} MiB measured`);
  t.equal(job.spec.template.metadata.annotations['prometheus.io/scrape'], 'true');
  const merge = objects.find((o) => o.metadata.name === 'smp-lab-report-merge') as Obj & { spec: { template: { spec: {
    containers: Array<{ args: string[] }> } } } };
  const mergeArgs = merge.spec.template.spec.containers[0]!.args;
  t.same(mergeArgs.slice(0, 6), ['report', 'merge', '--from', '/reports/smp-lab', '--expect', '40']);
  t.same(mergeArgs.slice(-2), ['--max-p99', '250ms'], 'thresholds are judged by the merge, on the whole fleet');
  t.notOk(c.args.includes('--max-p99'), 'and not by a shard');
  t.notOk(objects.some((o) => o.kind === 'Secret'), 'no password given: no Secret printed');
});

t.test('past the descriptor limit a pod runs worker processes', async (t) => {
  const objects = await objectsOf(['--agents', '1000000', '--shards', '20', '--idle-sockets', '1000000', '--reg-rate', '5000']);
  const job = objects.find((o) => o.metadata.name === 'smp-lab-agents') as Obj & { spec: { template: { spec: {
    containers: Array<{ args: string[] }> } } } };
  const args = job.spec.template.spec.containers[0]!.args;
  t.equal(args[args.indexOf('--workers') + 1], '3', '50,000 kept connections + 256 in flight + reserve: 3 processes of 20,000 descriptors');
  t.equal(args[args.indexOf('--reg-rate') + 1], '250', 'the whole-fleet registration rate divided among 20 shards');
});

t.test('deploy/kubernetes/smp-lab.yaml is what the verb prints with its defaults', async (t) => {
  const root = new URL('../../../', import.meta.url);
  const r = await runInProcess(['deploy', 'kubernetes']);
  t.equal(r.code, 0);
  t.equal(readFileSync(new URL('deploy/kubernetes/smp-lab.yaml', root), 'utf8'), r.stdout, 'up to date (run `npm run docs`)');
  const kustomization = readFileSync(new URL('deploy/kubernetes/kustomization.yaml', root), 'utf8');
  t.match(kustomization, /resources:\n {2}- smp-lab\.yaml/);
  t.match(kustomization, /name: smp-lab-console/, 'the console Secret comes from a generator');
});

const noKubectl = spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0;

t.test('`kubectl kustomize deploy/kubernetes` adds the console Secret to the generated objects', {
  skip: noKubectl ? 'kubectl is not installed, so `kubectl kustomize` cannot be run' : false,
}, async (t) => {
  const root = new URL('../../../', import.meta.url);
  const dir = t.testdir();
  for (const f of ['smp-lab.yaml', 'kustomization.yaml']) copyFileSync(new URL(`deploy/kubernetes/${f}`, root), join(dir, f));
  writeFileSync(join(dir, 'console-password.txt'), 'lab-password');
  const built = parseAllDocuments(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 }))
    .map((d) => d.toJS() as Obj);
  const secret = built.find((o) => o.kind === 'Secret') as Obj & { data: Record<string, string> } | undefined;
  t.equal(secret?.metadata.name, 'smp-lab-console', 'the Secret the NS Deployment reads');
  t.equal(Buffer.from(secret?.data['password'] ?? '', 'base64').toString(), 'lab-password');
  t.equal(built.length, (await objectsOf([])).length + 1, 'every generated object, plus the Secret');
  for (const obj of built) t.doesNotThrow(() => validate(obj), `${obj.kind} ${obj.metadata.name} after kustomize`);
});

t.test('bad input: one line naming the value, exit 2, no stack trace', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['--shards', '0'], /--shards: "0" is not allowed; expected an integer from 1/],
    [['--agents', '0'], /--agents: "0" is not allowed; expected an integer from 1 to 1000000/],
    [['--agents', '1.5'], /--agents: "1.5" is not allowed/],
    [['--agents', 'many'], /--agents: "many" is not allowed/],
    [['--agents', '10', '--shards', '11'], /--shards: 11 is not allowed; expected at most --agents \(10\)/],
    [['--ns', 'ftp://ns.example.com'], /--ns: "ftp:\/\/ns.example.com" is not allowed; expected an http:\/\/ or https:\/\/ URL/],
    [['--namespace', 'Lab_1'], /--namespace: "Lab_1" is not allowed; expected a DNS label/],
    [['--parallelism', '5', '--shards', '4'], /--parallelism: 5 is not allowed; expected at most --shards \(4\)/],
    [['--no-servers'], /--no-servers: true is not allowed; expected together with --ns URL/],
    [['--format', 'pod', '--shards', '2'], /--shards: 2 is not allowed; expected 1 \(or none\) with --format pod/],
  ];
  for (const [args, re] of cases) {
    const r = await runInProcess(['deploy', 'kubernetes', ...args]);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, re, args.join(' '));
    t.equal(r.stderr.trim().split('\n').length, 1, `one line: ${args.join(' ')}`);
    t.notMatch(r.stderr, /\n\s+at /, 'no stack trace');
    t.equal(r.stdout, '', 'nothing half printed');
  }
  const target = await runInProcess(['deploy', 'helm']);
  t.equal(target.code, 2);
  t.match(target.stderr, /unknown target "helm"; use: smp-lab deploy kubernetes/);
  const none = await runInProcess(['deploy']);
  t.equal(none.code, 2);
  t.equal(none.stderr, 'smp-lab deploy: no target; use: smp-lab deploy kubernetes [options]\n');
});
