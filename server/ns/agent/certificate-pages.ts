// The certificate pages (smp-lab 1): GetServerCertificate.aspx (the NS's HTTPS certificate, PEM or
// DER), GetClientCertificate.aspx (signs an agent CSR whose key is its registered policyKey) and
// GetClientCertificateMig.aspx (the certificate last issued to a computer, for migration). Never
// issues to an unknown, blocked or pending computer, or for a key it did not register.
import { readFileSync } from 'node:fs';
import forge from 'node-forge';
import { smpError } from '../../../shared/errors.js';
import { braced, parseGuid } from '../../../shared/protocol/guid.js';
import { decodePolicyKey } from '../../../shared/protocol/policy-key.js';
import { queryParam, type Query } from '../../../shared/protocol/query.js';
import type { NsContext } from '../context.js';
import { loadOrCreateIssuer, type ClientIssuer } from '../certificates/client-issuer.js';
import { DEFAULT_DATA_DIR } from '../options.js';
import { defineAgentPage } from './page.js';
import { bodyOf } from './body.js';

const MAX_CSR = 16 * 1024;
const CERT_DAYS = 365;

function serverCertificatePem(ctx: NsContext): string | undefined {
  const tls = ctx.options.tls;
  if (tls === undefined) return undefined;
  const raw = tls.cert ?? (tls.certFile ? readFileSync(tls.certFile) : undefined);
  if (raw === undefined) return undefined;
  const m = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(raw.toString());
  return m === null ? undefined : `${m[0]}\n`;
}

function resourceGuidOf(req: { headers: Record<string, unknown>; query: unknown }): string {
  const fromQuery = queryParam(req.query as Query, 'resourceGuid', 64);
  const header = req.headers['x-sma-id'];
  return parseGuid(fromQuery ?? (typeof header === 'string' ? header : undefined), 'resourceGuid (query) or X-SMA-ID (header)');
}

function checkedCsr(ctx: NsContext, guid: string, pem: string): forge.pki.CertificateSigningRequest {
  const res = ctx.store.resources.get(guid);
  if (res === undefined) throw smpError('UNKNOWN_RESOURCE', `resource {${guid}} is not registered on this NS`, { agentGuid: guid });
  if (res.state !== 'allowed') throw smpError('FORBIDDEN', `resource {${guid}} is ${res.state}; only allowed computers get certificates`);
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(pem);
  } catch (err) {
    throw smpError('BAD_INPUT', 'body is not a PEM PKCS#10 certificate request (RSA)', {}, err);
  }
  if (!csr.verify()) throw smpError('CRYPTO', 'the certificate request signature does not verify');
  const cn = csr.subject.getField('CN')?.value as string | undefined;
  if (cn === undefined || parseGuid(cn, 'CSR common name') !== guid) throw smpError('FORBIDDEN', `the CSR common name must be the computer GUID ${braced(guid)}`);
  const key = decodePolicyKey(res.policyKey);
  const pub = csr.publicKey as forge.pki.rsa.PublicKey;
  if (pub.n.toString(16).replace(/^0+/, '') !== key.modulus.toString('hex').replace(/^0+/, '') || pub.e.intValue() !== key.exponent) {
    throw smpError('FORBIDDEN', 'the CSR key is not the policyKey this computer registered');
  }
  return csr;
}

export const certificatePages = [
  defineAgentPage({
    name: 'GetServerCertificate.aspx',
    register(scope, ctx) {
      scope.get('/GetServerCertificate.aspx', async (req, reply) => {
        const pem = serverCertificatePem(ctx);
        if (pem === undefined) throw smpError('NOT_FOUND', 'this NS has no HTTPS certificate (start it with --cert/--key)');
        if ((queryParam(req.query as Query, 'format', 8) ?? 'pem').toLowerCase() === 'der') {
          return reply.type('application/pkix-cert').send(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(forge.pki.certificateFromPem(pem))).getBytes(), 'binary'));
        }
        return reply.type('application/x-pem-file').send(pem);
      });
    },
  }),
  defineAgentPage({
    name: 'GetClientCertificate.aspx',
    register(scope, ctx) {
      let issuer: Promise<ClientIssuer> | undefined;
      scope.post('/GetClientCertificate.aspx', { bodyLimit: MAX_CSR }, async (req, reply) => {
        const guid = resourceGuidOf(req);
        const csr = checkedCsr(ctx, guid, bodyOf(req, 'GetClientCertificate').toString('latin1'));
        issuer ??= loadOrCreateIssuer(ctx.store.kind === 'memory' ? undefined : (ctx.options.dataDir ?? DEFAULT_DATA_DIR), 'smp-lab NS');
        const iss = await issuer;
        const { pem, serial } = iss.issue(csr, CERT_DAYS);
        ctx.store.packages.putClientCertificate(guid, serial, pem);
        req.log.info({ agentGuid: guid, serial }, 'client certificate issued');
        return reply.type('application/x-pem-file').send(pem + iss.certPem);
      });
    },
  }),
  defineAgentPage({
    name: 'GetClientCertificateMig.aspx',
    register(scope, ctx) {
      scope.get('/GetClientCertificateMig.aspx', async (req, reply) => {
        const guid = resourceGuidOf(req);
        const c = ctx.store.packages.clientCertificate(guid);
        if (c === undefined) throw smpError('NOT_FOUND', `no client certificate was issued to {${guid}}`);
        return reply.type('application/x-pem-file').header('X-SMP-Lab-Serial', c.serial).send(c.pem);
      });
    },
  }),
];
