import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeClientPoliciesResponse } from '../../../shared/protocol/client-policies.js';
import { decodeCreateResourceResponse, encodeCreateResourceRequest } from '../../../shared/protocol/create-resource.js';
import { agentKey } from '../../helpers/agent-key.js';
import { startTestNs } from '../../helpers/ns.js';

const run = promisify(execFile);

async function has(tool: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}

const noCurl = !(await has('curl')) && 'curl is not installed';
const noOpenssl = !(await has('openssl')) && 'openssl is not installed';

t.test('curl registers and pulls policies over HTTP and HTTPS (lab CA trusted, nothing else)', { skip: noCurl }, async (t) => {
  const lab = await startTestNs();
  const dir = mkdtempSync(join(tmpdir(), 'smp-ns-curl-'));
  t.teardown(async () => { await lab.close(); rmSync(dir, { recursive: true, force: true }); });
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, lab.cert.cert);
  const body = join(dir, 'reg.xml');
  writeFileSync(body, encodeCreateResourceRequest({ guid: null, name: 'CURL-1', policyKey: agentKey().policyKey, regRequest: { guid: null, state: 'new' }, keys: [], rekeySignature: null }));
  const httpsBase = lab.https.replace('127.0.0.1', 'localhost');
  const reg = await run('curl', ['-sS', '--fail-with-body', '--cacert', ca, '-H', 'Content-Type: application/xml', '--data-binary', `@${body}`,
    `${httpsBase}/altiris/ns/agent/createresource.aspx`]);
  const guid = decodeCreateResourceResponse(reg.stdout).guid;
  const pol = await run('curl', ['-sS', '--fail-with-body', `${lab.http}/Altiris/NS/Agent/GetClientPolicies.aspx?WrkstaGuid=%7B${guid}%7D&ConfigVersion=1`]);
  t.equal(decodeClientPoliciesResponse(pol.stdout).policies.length, 4);
  const bad = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', `${lab.http}/Altiris/NS/Agent/GetClientPolicies.aspx`]);
  t.equal(bad.stdout, '400');
  await t.rejects(run('curl', ['-sS', '--fail', `${httpsBase}/Altiris/Console/api/resources`]), 'curl without the lab CA refuses the certificate');
});

t.test('openssl s_client verifies the chain and resumes a TLS 1.2 session', { skip: noOpenssl }, async (t) => {
  const lab = await startTestNs();
  const dir = mkdtempSync(join(tmpdir(), 'smp-ns-openssl-'));
  t.teardown(async () => { await lab.close(); rmSync(dir, { recursive: true, force: true }); });
  const ca = join(dir, 'ca.pem');
  writeFileSync(ca, lab.cert.cert);
  const port = new URL(lab.https).port;
  const sess = join(dir, 'sess.pem');
  const client = (extra: string[]) => run('sh', ['-c', `echo | openssl s_client -connect 127.0.0.1:${port} -servername localhost -verify_return_error -CAfile ${ca} ${extra.join(' ')} 2>&1`]);
  const first = await client(['-tls1_2', '-sess_out', sess]);
  t.match(first.stdout, /Verify return code: 0 \(ok\)/);
  t.match(first.stdout, /Protocol *: TLSv1\.2/);
  const again = await client(['-tls1_2', '-sess_in', sess]);
  t.match(again.stdout, /^Reused, TLSv1\.2/m, 'session resumed');
  const v13 = await client(['-tls1_3']);
  t.match(v13.stdout, /TLSv1\.3/);
  const old = await client(['-tls1_1']).catch((e: { stdout: string }) => e);
  t.match(old.stdout, /alert protocol version|no protocols available|Cipher is \(NONE\)/, 'TLS 1.1 refused');
});
