// Added cost of the NS's body budget per request: the same fastify POST route with and without
// installBodyBudget, driven by app.inject in alternating rounds; prints the ratio (budget / reference).
import Fastify from 'fastify';
import { BodyBudget, installBodyBudget } from '../server/ns/body-budget.js';

const N = Number(process.env.BENCH_N ?? 20_000);
const BODY = Buffer.alloc(2048, 0x20);

async function app(withBudget: boolean) {
  const a = Fastify();
  a.addContentTypeParser('application/xml', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  if (withBudget) installBodyBudget(a, new BodyBudget(256 * 1024 * 1024));
  a.post('/PostEvent.aspx', async () => 'ok');
  await a.ready();
  return a;
}

async function round(a: Awaited<ReturnType<typeof app>>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    await a.inject({ method: 'POST', url: '/PostEvent.aspx', headers: { 'content-type': 'application/xml' }, payload: BODY });
  }
  return Number(process.hrtime.bigint() - t0) / N;
}

const ref = await app(false);
const budget = await app(true);
const refNs: number[] = [];
const budgetNs: number[] = [];
for (let r = 0; r < 5; r++) {
  refNs.push(await round(ref));
  budgetNs.push(await round(budget));
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const [a, b] = [median(refNs), median(budgetNs)];
console.log(`reference ${(a / 1000).toFixed(2)} µs/request, with budget ${(b / 1000).toFixed(2)} µs/request, `
  + `added ${((b - a) / 1000).toFixed(2)} µs, ratio ${(b / a).toFixed(3)}`);
await ref.close();
await budget.close();
