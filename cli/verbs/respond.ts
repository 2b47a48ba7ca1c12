// `smp-lab respond`: listen on every catalog port of the given roles (firewall test server side)
// until Ctrl-C. Parses and prints only; the listeners live in firewall/respond.
import { COMMON_OPTIONS, PORT_OPTIONS, defineOptions } from '../../shared/config.js';
import { smpError } from '../../shared/errors.js';
import { defineVerb } from '../verb.js';

const options = defineOptions({
  ...COMMON_OPTIONS,
  ...PORT_OPTIONS,
  role: { type: 'roles', arg: 'ROLES', help: 'listener roles to answer for, comma-separated (e.g. ns,ts,ps or agent,device)' },
  bind: { type: 'address', arg: 'ADDR', default: '0.0.0.0', help: 'address to listen on (loopback-only flows always use 127.0.0.1)' },
  cert: { type: 'path', arg: 'FILE', help: 'certificate (PEM) for the HTTPS responders' },
  key: { type: 'path', arg: 'FILE', help: 'private key (PEM) for --cert' },
  certDir: { type: 'path', arg: 'DIR', default: '.lab/certs', help: 'lab certificate folder used when present (server.pem, server-key.pem)' },
  catalogOnly: { type: 'bool', default: false, help: 'never use the real listeners (the Notification Server on its ports), only catalog responders' },
});

export const respondVerb = defineVerb({
  name: 'respond',
  summary: 'answer on every catalog port of the given roles (firewall test, server side)',
  description: 'Listens on each port whose listener is one of --role, speaking enough of each protocol for '
    + '`smp-lab probe` and standard clients (curl, openssl, ssh, snmpget, ipmitool, nmap). Prints what it '
    + 'listens on and what could not be bound, then runs until Ctrl-C.',
  options,
  async run(config, _positionals, ctx) {
    if (config.role === undefined || config.role.length === 0) throw smpError('USAGE', '--role is required, e.g. --role ns,ts,ps');
    const { resolvePorts } = await import('../../shared/ports.js');
    const { startResponders } = await import('../../firewall/respond/responder.js');
    const map = resolvePorts({ offset: config.portOffset, perFlow: config.port ?? {} });
    const r = await startResponders({
      map, roles: config.role, bind: config.bind, certDir: config.certDir, catalogOnly: config.catalogOnly,
      ...(config.cert !== undefined ? { certFile: config.cert } : {}),
      ...(config.key !== undefined ? { keyFile: config.key } : {}),
    });
    const out = (s: string): boolean => ctx.stdout.write(`${s}\n`);
    if (r.tls) out(`tls: ${r.tls.source}`);
    for (const l of r.listening) {
      const s = l.spec;
      const where = s.group ? `${s.group}:${l.port} (joined, bound ${s.address === '0.0.0.0' ? 'all interfaces' : s.address})` : `${s.address}:${l.port}`;
      out(`listening ${s.transport.padEnd(13)} ${where.padEnd(22)} ${s.protocol}${s.tls ? '+tls' : ''} for ${s.roles.join(',')} (${s.flows.map((f) => f.id).join(' ')})`);
      for (const n of l.notes) out(`  note: ${n}`);
    }
    for (const f of r.failed) {
      out(`not bound ${f.spec.transport.padEnd(13)} ${`${f.spec.address}:${f.spec.port}`.padEnd(22)} ${f.spec.protocol}: ${f.reason}`);
    }
    for (const u of r.unbound) out(`no socket ${u.flow.transport.padEnd(13)} ${u.flow.id}: ${u.reason}`);
    out(`ready: ${r.listening.length} listening, ${r.failed.length} not bound (roles ${config.role.join(',')})`);
    if (r.listening.length === 0) {
      await r.close();
      ctx.stderr.write('smp-lab respond: nothing could be bound\n');
      return 1;
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await r.close();
    out('stopped');
    return 0;
  },
});
