// Third-party clients the tests drive (wakeonlan, nmap, snmpget, ipmitool, ssh): a test that needs one
// is skipped with the reason and the Debian package to install, never passed silently without it.
import { spawnSync } from 'node:child_process';

export const have = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** tap's `skip` option: false when `tool` is on PATH, else why the test cannot run here. */
export const unlessHave = (tool: string, aptPackage = tool): false | string =>
  (have(tool) ? false : `${tool} is not installed (apt-get install ${aptPackage})`);
