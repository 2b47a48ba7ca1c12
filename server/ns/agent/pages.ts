// The pages of /Altiris/NS/Agent: ONE LINE A PAGE (write server/ns/agent/<page>.ts with
// defineAgentPage and add it here).
import { altirisAgentDownloadPage } from './altiris-agent-download.js';
import { certificatePages } from './certificate-pages.js';
import { connectionTestPage } from './connection-test.js';
import { createExternalPackagePage } from './create-external-package.js';
import { createResourcePage } from './create-resource.js';
import { getLicenseDetailsPage } from './get-license-details.js';
import { getPackageInfoPage } from './get-package-info.js';
import { getPackageSnapshotPage } from './get-package-snapshot.js';
import { getSiteServerInfoPage } from './get-site-server-info.js';
import { getClientPoliciesPage } from './get-client-policies.js';
import type { AgentPage } from './page.js';
import { postEventPages } from './post-event.js';

export const AGENT_PAGES: readonly AgentPage[] = [
  createResourcePage,
  getClientPoliciesPage,
  ...postEventPages,
  getPackageInfoPage,
  getPackageSnapshotPage,
  getLicenseDetailsPage,
  connectionTestPage,
  ...certificatePages,
  getSiteServerInfoPage,
  altirisAgentDownloadPage,
  createExternalPackagePage,
];
