// Configuration: flags > SMP_LAB_* environment > JSON config file > defaults, and one clear
// line with exit code 2 for every bad value.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMON_OPTIONS, PORT_OPTIONS, defineOptions, resolveConfig } from '../../shared/config.js';
import { isSmpError } from '../../shared/errors.js';

const specs = defineOptions({
  ...COMMON_OPTIONS,
  ...PORT_OPTIONS,
  bind: { type: 'address', default: '127.0.0.1', help: 'bind address' },
  count: { type: 'int', min: 1, max: 1000, default: 50, help: 'how many' },
  role: { type: 'roles', help: 'roles' },
  interval: { type: 'duration', default: 3600, help: 'interval' },
  ns: { type: 'url', help: 'NS URL' },
  insecure: { type: 'bool', default: false, help: 'skip TLS checks' },
});

const dir = mkdtempSync(join(tmpdir(), 'smp-lab-config-'));
const file = (doc: unknown): string => {
  const p = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(p, JSON.stringify(doc));
  return p;
};
const resolve = (argv: string[], env: Record<string, string> = {}) =>
  resolveConfig(specs, { argv, env, verb: 'test', otherKeys: new Set(['ns', 'agents']) });

t.test('defaults apply when nothing is given', async (t) => {
  const { config, origin } = resolve([]);
  t.equal(config.count, 50);
  t.equal(config.bind, '127.0.0.1');
  t.equal(config.interval, 3_600_000, 'durations are milliseconds; a bare default number means seconds');
  t.equal(config.portOffset, 0);
  t.equal(origin.count, 'default');
});

t.test('flags beat the environment, which beats the file, which beats the defaults', async (t) => {
  const cfg = file({ count: 10, bind: '10.0.0.1', portOffset: 5, test: { interval: '5m' } });
  const env = { SMP_LAB_COUNT: '20', SMP_LAB_CONFIG: cfg };
  const a = resolve(['--count', '30'], env);
  t.equal(a.config.count, 30);
  t.equal(a.origin.count, 'flag');
  const b = resolve([], env);
  t.equal(b.config.count, 20);
  t.equal(b.origin.count, 'env');
  t.equal(b.config.bind, '10.0.0.1', 'file value');
  t.equal(b.config.interval, 300_000, 'the verb section of the file');
  t.equal(b.config.portOffset, 5);
  const c = resolve(['--config', cfg]);
  t.equal(c.config.count, 10, 'the file via --config');
});

t.test('lists, overrides, URLs and booleans', async (t) => {
  const { config } = resolve(['--role', 'ns,ts', '--port', 'ns-tickle=40000', '--port', 'ns-agent-http=8080',
    '--ns', 'http://127.0.0.1:8080/', '--insecure']);
  t.same(config.role, ['ns', 'ts']);
  t.same(config.port, { 'ns-tickle': 40000, 'ns-agent-http': 8080 });
  t.equal(config.ns, 'http://127.0.0.1:8080');
  t.equal(config.insecure, true);
  t.same(resolve([], { SMP_LAB_ROLE: 'agent,ps' }).config.role, ['agent', 'ps']);
});

t.test('bad values name the value and what is allowed, exit code 2', async (t) => {
  const cases: [string[], Record<string, string>, RegExp][] = [
    [['--count', '0'], {}, /--count: "0" is not allowed; expected an integer from 1 to 1000/],
    [['--count', '-1'], {}, /--count: "-1" is not allowed; expected an integer from 1 to 1000/],
    [['--port-offset', '-5'], {}, /--port-offset: "-5" is not allowed; expected an integer from 0/],
    [['--bind', '300.1.1.1'], {}, /--bind: "300.1.1.1" is not allowed; expected an IPv4 or IPv6 address/],
    [['--role', 'ns,router'], {}, /--role: "router" is not allowed; expected one of ns, ts, ps, agent/],
    [['--port', 'ns-tickle=70000'], {}, /"70000" is not allowed; expected a port from 1 to 65535/],
    [['--port', 'ns-tickle'], {}, /expected FLOW=PORT/],
    [['--ns', 'ftp://x'], {}, /expected an http:\/\/ or https:\/\/ URL/],
    [['--interval', 'soon'], {}, /expected a duration such as 500ms, 30s, 5m or 1h/],
    [[], { SMP_LAB_COUNT: 'many' }, /SMP_LAB_COUNT: "many" is not allowed/],
    [[], { SMP_LAB_INSECURE: 'perhaps' }, /SMP_LAB_INSECURE: "perhaps" is not allowed; expected true or false/],
    [['--config', join(dir, 'missing.json')], {}, /--config: .* expected a readable JSON file/],
    [['--config', file([1, 2])], {}, /expected a JSON object of option keys/],
    [['--config', file({ cuont: 3 })], {}, /config file key "cuont"/],
    [['--config', file({ test: { bogus: 1 } })], {}, /config file key "test.bogus"/],
  ];
  for (const [argv, env, re] of cases) {
    try {
      resolve(argv, env);
      t.fail(`${argv.join(' ')} ${JSON.stringify(env)}: accepted`);
    } catch (err) {
      t.ok(isSmpError(err, 'CONFIG'), `${argv.join(' ')}: config error`);
      t.match((err as Error).message, re);
      t.notMatch((err as Error).message, /\n/, 'one line');
      t.equal((err as { exitCode: number }).exitCode, 2);
    }
  }
});

t.test('unknown flags are usage errors with exit code 2', async (t) => {
  try {
    resolve(['--cuont', '3']);
    t.fail('accepted');
  } catch (err) {
    t.ok(isSmpError(err, 'USAGE'));
    t.match((err as Error).message, /Unknown option '--cuont'/);
    t.equal((err as { exitCode: number }).exitCode, 2);
  }
});

t.test('config keys that other verbs own are accepted at the top level', async (t) => {
  const cfg = file({ count: 7, agents: { count: 99 } });
  t.equal(resolve(['--config', cfg]).config.count, 7);
});
