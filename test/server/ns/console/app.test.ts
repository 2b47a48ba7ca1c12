// The console's static app and its flows view: the page, its scripts and uPlot are served from the
// package (no inline script or style, nothing from elsewhere), and the flows API shows traffic where
// the NS saw some and null ("no traffic yet") where it saw none.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { decodeCreateResourceResponse } from '../../../../shared/protocol/create-resource.js';
import { consolePublicDir } from '../../../../server/ns/console-app/plugin.js';
import { agentKey } from '../../../helpers/agent-key.js';
import { register } from '../../../helpers/agent-requests.js';
import { sendAdmin, startTestNs } from '../../../helpers/ns.js';

t.test('the page and its assets', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  const page = await sendAdmin(lab.http, '/Altiris/Console/');
  t.equal(page.status, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.notMatch(page.text, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  t.notMatch(page.text, /\sstyle=|<style/, 'no inline style');
  const refs = [...page.text.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]!);
  t.ok(refs.length >= 4);
  for (const ref of refs) {
    t.match(ref, /^\/Altiris\/Console\/assets\//, `${ref} is the console's own`);
    t.equal((await sendAdmin(lab.http, ref)).status, 200, ref);
  }
  for (const file of readdirSync(consolePublicDir()).filter((f) => f.endsWith('.js'))) {
    const js = await sendAdmin(lab.http, `/Altiris/Console/assets/${file}`);
    t.equal(js.status, 200, file);
    t.match(js.headers['content-type'], /javascript/);
    for (const [, dep] of js.text.matchAll(/from '\.\/([^']+)'/g)) {
      t.equal((await sendAdmin(lab.http, `/Altiris/Console/assets/${dep}`)).status, 200, `${file} imports ${dep}`);
    }
  }
  t.equal((await sendAdmin(lab.http, '/Altiris/Console/assets/vendor/uPlot.min.css')).status, 200);
  t.equal((await sendAdmin(lab.http, '/Altiris/Console/assets/vendor/package.json')).status, 404, 'only uPlot from node_modules');
  t.equal((await sendAdmin(lab.http, '/Altiris/Console/assets/../../../package.json')).status, 404);
  t.equal((await sendAdmin(lab.http, '/altiris/console/')).status, 200, 'any case, as IIS');
});

t.test('flows: traffic where the NS saw some, null where none', async (t) => {
  const lab = await startTestNs({ store: 'memory' });
  t.teardown(() => lab.close());
  type Flows = { flows: { id: string; observable: boolean; observed: { count: number; unit: string } | null; port: number | null }[];
    taskServers: unknown[] };
  const flows = async () => JSON.parse((await sendAdmin(lab.http, '/Altiris/Console/api/flows')).text) as Flows;
  const before = await flows();
  const byId = (f: Flows, id: string) => f.flows.find((x) => x.id === id)!;
  t.equal(byId(before, 'ns-tickle').observed, null, 'no tickle yet');
  t.equal(byId(before, 'ns-agent-https').observed, null, 'no HTTPS request yet');
  t.equal(byId(before, 'cp-snmp').observable, false, 'a flow this NS cannot see');
  t.same(before.taskServers, []);
  const guid = decodeCreateResourceResponse((await register(lab.https, { name: 'FLOW-1', policyKey: agentKey().policyKey })).text).guid;
  t.ok(guid);
  const after = await flows();
  t.match(byId(after, 'ns-agent-https').observed, { unit: 'HTTPS requests' });
  t.ok(byId(after, 'ns-agent-https').observed!.count >= 1);
  t.ok(byId(after, 'ns-agent-http').observed!.count >= 1, 'the first flows request, on HTTP');
  t.equal(after.flows.length, before.flows.length);
});
