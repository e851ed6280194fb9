import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root directory, from any module's URL: the build runs from
 * dist/src/…, tests run the sources from src/…. The console, the shop and
 * the lab config are found from here.
 */
export function packageRoot(moduleUrl: string): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const marker = `${sep}dist${sep}src`;
  const at = here.includes(marker) ? here.indexOf(marker) : here.lastIndexOf(`${sep}src`);
  return here.slice(0, at);
}
