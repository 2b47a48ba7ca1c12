// Certificate names are normalised so that a request and a certificate compare equal when they
// name the same hosts: table tests of the rules.
import t from 'tap';
import { canonicalIp, defaultDnsNames, isDnsName, normaliseNames } from '../../certs/index.js';

t.test('DNS names', async (t) => {
  const table: Array<[string, boolean]> = [
    ['localhost', true], ['ns.lab.example', true], ['NS-1.Lab', true], ['*.lab.example', true],
    ['*.example', false], ['', false], ['a_b', false], ['-ns', false], ['ns-', false], ['a..b', false],
    ['*', false], ['x.*.lab', false], ['a'.repeat(64), false], [`${'a'.repeat(63)}.lab`, true],
  ];
  for (const [name, ok] of table) t.equal(isDnsName(name), ok, name);
});

t.test('IP addresses are canonical', async (t) => {
  t.equal(canonicalIp('::1'), '::1');
  t.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
  t.equal(canonicalIp('FE80:0:0:0:0:0:0:0AB'), 'fe80::ab');
  t.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
});

t.test('normalised sets: sorted, lower case, deduplicated, addresses moved out of names', async (t) => {
  t.same(normaliseNames(['NS.lab', 'localhost', 'ns.lab', '10.1.2.3'], ['0:0:0:0:0:0:0:1', '::1']),
    { dns: ['localhost', 'ns.lab'], ips: ['10.1.2.3', '::1'] });
  t.same(defaultDnsNames('Build-Host'), ['localhost', 'build-host']);
  t.same(defaultDnsNames('localhost'), ['localhost']);
  t.same(defaultDnsNames('under_score'), ['localhost'], 'a host name that is not a DNS name is left out');
  t.throws(() => normaliseNames(['ok', 'not ok'], []), { code: 'SMP_ERR_CONFIG' });
  t.throws(() => normaliseNames([], ['::g']), { code: 'SMP_ERR_CONFIG' });
});
