// The lab PKI as one import for servers, the agent simulator and the CLI: ensure the lab CA and a
// server certificate on disk, issue client certificates in memory. Nothing here listens or prints.
export { ensureLabCertificates, DEFAULT_CA_DAYS, DEFAULT_RENEW_BEFORE_DAYS, DEFAULT_SERVER_DAYS, MANIFEST_FORMAT } from './lab-certificates.js';
export type { ItemReport, LabCertificateOptions, LabCertificates } from './lab-certificates.js';
export { issueClientCertificate, issueServerCertificate, makeLabCa, generateRsaKey, MIN_KEY_BITS } from './issue.js';
export type { IssuedCertificate, LabCa, ValidityOptions } from './issue.js';
export { caProblem, serverProblem, certificateNames, readX509 } from './inspect.js';
export { labPaths, KEY_MODE, CERT_MODE, DIR_MODE } from './lab-files.js';
export type { LabCertificatePaths } from './lab-files.js';
export { normaliseNames, defaultDnsNames, canonicalIp, isDnsName, DEFAULT_IPS } from './subject-names.js';
export type { SubjectNames } from './subject-names.js';
