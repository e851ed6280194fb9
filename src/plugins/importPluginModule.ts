import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tsImport } from 'tsx/esm/api';

// Plugins import `prodeng/plugin`. Mapping it to this build's own module
// means a config repository loads without a local install of prodeng (it
// needs one only to type-check in an editor). tsx applies tsconfig `paths`
// to ESM and CommonJS alike, which a Node 20 resolve hook cannot.
const pluginApi = fileURLToPath(new URL('./definePlugin.js', import.meta.url));
const tsconfigs = new Map<string, string>();

function tsconfigFor(dir: string): string {
  let file = tsconfigs.get(dir);
  if (!file) {
    file = join(mkdtempSync(join(tmpdir(), 'prodeng-plugins-')), 'tsconfig.json');
    writeFileSync(
      file,
      JSON.stringify({
        compilerOptions: { allowJs: true, strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', paths: { 'prodeng/plugin': [pluginApi] } },
        include: [join(dir, '**', '*')],
      }),
    );
    tsconfigs.set(dir, file);
  }
  return file;
}

/** Imports a plugin module through tsx: Node 20 cannot strip types, and tsx maps `prodeng/plugin` for .js files too. */
export async function importPluginModule(file: string, dir: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  {
    // A .ts file outside a "type": "module" package loads as CommonJS, and
    // tsx's CommonJS side reads its tsconfig from this variable when the
    // import registers (synchronously, inside tsImport).
    const tsconfig = tsconfigFor(dir);
    const before = process.env.TSX_TSCONFIG_PATH;
    process.env.TSX_TSCONFIG_PATH = tsconfig;
    try {
      return (await tsImport(url, { parentURL: import.meta.url, tsconfig })) as Record<string, unknown>;
    } finally {
      if (before === undefined) delete process.env.TSX_TSCONFIG_PATH;
      else process.env.TSX_TSCONFIG_PATH = before;
    }
  }
}
