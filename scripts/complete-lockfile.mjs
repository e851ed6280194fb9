// The npm registry mirror on our build machines holds only some of the
// per-platform builds that rollup/esbuild list as optional dependencies, so
// `npm install` writes a lockfile without them and `npm ci` (npm 11) then
// refuses the lockfile as out of sync. This adds the missing optional entries
// with their os/cpu so npm ci skips them on other platforms.
// Run after `npm install` changes package-lock.json.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const osNames = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'netbsd', 'sunos', 'win32', 'openharmony', 'aix', 'cygwin'];
const cpuNames = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => osNames.includes(p) || p === 'win32');
  let cpu = parts.find((p) => cpuNames.includes(p));
  if (!cpu && parts.includes('loongarch64')) cpu = 'loong64';
  if (!cpu && parts.includes('ppc64')) cpu = 'ppc64';
  return { os, cpu };
}

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const nested = `${path}/node_modules/${dep}`;
    if (lock.packages[key] || lock.packages[nested]) continue;
    const { os, cpu } = platformOf(dep);
    const record = { version: version.replace(/^[~^]/, ''), dev: entry.dev, optional: true };
    if (!entry.dev) delete record.dev;
    if (os) record.os = [os];
    if (cpu) record.cpu = [cpu];
    lock.packages[key] = record;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
