// The lab policy set written into an empty store at first start: agent settings (check-in
// interval, package-access credentials as a secure attribute), task agent settings, a software
// delivery policy with the lab package, an inventory policy. Element names marked (lab) in
// docs/protocol.md are smp-lab's; the ACC password is random per store, never a constant.
import { randomBytes } from 'node:crypto';
import type { PolicyInput, PolicyTable } from '../store/policies.js';
import { LAB_PACKAGE_GUID } from '../packages/library.js';

export const LAB_POLICY_GUIDS = {
  agentSettings: '742A8B4E-A633-47BF-A195-C34BE55FE4A2',
  taskAgentSettings: 'B8B06514-B620-472C-BD3E-606E42A4C211',
  softwareDelivery: '5D2C1A57-0B3E-4E0F-9C1D-3A6B7E8F9012',
  inventory: 'C4E1F2A3-6B7D-4E8F-A1B2-9D0E3F4A5B6C',
} as const;

/** The package the software delivery policy delivers: lab package 0 of the package library. */
export { LAB_PACKAGE_GUID };

export function labPolicySet(accPassword = randomBytes(18).toString('base64url')): PolicyInput[] {
  return [
    {
      guid: LAB_POLICY_GUIDS.agentSettings, name: 'Lab agent settings', enabled: true, agentClsid: 'Altiris.AeXNSClientConfigUpdate',
      content: [
        { name: 'Security', attrs: { policySecuredNode: 'PkgAccessCredentials', enableCOMSecurity: 'True', allowUpdateConfiguration: 'True', allowSendInventory: 'True' } },
        { name: 'ConfigurationRequest', attrs: { interval: '60', units: 'minutes' } },
        { name: 'BasicInventory', attrs: { interval: '1440', units: 'minutes' } },
        { name: 'Tickle', attrs: { enabled: 'True' } },
        { name: 'PkgAccessCredentials', attrs: { UserName: 'LAB\\svc-smp-acc', UserPassword: accPassword }, secure: ['UserPassword'] },
      ],
    },
    {
      guid: LAB_POLICY_GUIDS.taskAgentSettings, name: 'Lab task agent settings', enabled: true, agentClsid: 'Altiris.ClientTaskAgent',
      content: [{ name: 'settings', attrs: { timeout: '30', taskReportingInterval: '15', serverFindMethod: 'FewestComputers', recommendedServerFindMethod: 'AvailableCapacity' } }],
    },
    {
      guid: LAB_POLICY_GUIDS.softwareDelivery, name: 'Lab software delivery', enabled: true, agentClsid: 'Altiris.SWD',
      content: [{ name: 'SoftPkgs', children: [{ name: 'SoftPkg', attrs: {
        Name: 'Lab package', displayName: 'Lab package', Id: `{${LAB_PACKAGE_GUID}}`, Version: '1', InternalVersion: '1',
        Originator: 'smp-lab', Destination: '%ALTIRIS_AGENT%\\Software Delivery', CleanupAfter: '0', Priority: 'Normal', StatusEventsEnabled: 'True',
      } }] }],
    },
    {
      guid: LAB_POLICY_GUIDS.inventory, name: 'Lab inventory policy', enabled: true, agentClsid: 'Altiris.Inventory',
      content: [{ name: 'InventorySchedule', attrs: { interval: '1440', units: 'minutes', hardware: 'True', software: 'True', sendDeltas: 'True' } }],
    },
  ];
}

/** Writes the lab set when the store has no policies yet; returns how many were written. */
export function seedLabPolicies(table: PolicyTable): number {
  if (table.count() > 0) return 0;
  const set = labPolicySet();
  for (const p of set) table.put(p);
  return set.length;
}
