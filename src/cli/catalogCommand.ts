import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { formatConfigError } from '../config/index.js';
import { loadConfiguration } from '../loadConfiguration.js';
import { exportCatalog } from '../catalog/backstage/exportCatalog.js';
import { fetchCatalogText } from '../catalog/backstage/fetchCatalogText.js';
import { importCatalog } from '../catalog/backstage/importCatalog.js';
import { asPlainDocument, yamlDocuments } from '../catalog/backstage/yamlDocuments.js';
import { addCatalogQueries } from './catalogQueryCommands.js';

/** `prodeng catalog …`: the service catalog. */
export function catalogCommand(): Command {
  const catalog = new Command('catalog').description('the service catalog: teams, users and services; import from and export to Backstage');
  addBackstageCommands(catalog);
  addCatalogQueries(catalog);
  return catalog;
}

/** Files an import writes into --out, one per kind. */
const FILE_OF_KIND: Record<string, string> = { Team: 'teams.yaml', User: 'users.yaml', Service: 'services.yaml' };

/** `catalog import` and `catalog export`, added to a `catalog` command (which other subcommands share). */
export function addBackstageCommands(catalog: Command): Command {
  catalog
    .command('import')
    .description('read Backstage catalog-info.yaml files (a directory tree, one file, or an http(s) URL) and write them as prodeng Teams, Users and Services')
    .argument('<source>', 'a directory searched for catalog-info.yaml, a catalog file, or an http(s) URL of one')
    .option('--out <dir>', `write ${Object.values(FILE_OF_KIND).join(', ')} into this directory instead of printing the documents`)
    .option('--fetch-urls', 'when importing a directory, also fetch the url: targets of its Locations')
    .action(async (source: string, flags: { out?: string; fetchUrls?: boolean }) => {
      const result = await importCatalog(source, flags.fetchUrls ? { fetchText: fetchCatalogText } : {});
      for (const w of result.warnings) console.error(`warning: ${formatConfigError(w)}`);
      if (!result.ok) {
        for (const e of result.errors) console.error(formatConfigError(e));
        console.error(`${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${source}; nothing written`);
        process.exitCode = 1;
        return;
      }
      const header = `Imported from the Backstage catalog at ${source} by \`prodeng catalog import\`.`;
      if (!flags.out) {
        process.stdout.write(yamlDocuments(result.docs.map(asPlainDocument), header));
        return;
      }
      await mkdir(flags.out, { recursive: true });
      const written: string[] = [];
      for (const [kind, file] of Object.entries(FILE_OF_KIND)) {
        const docs = result.docs.filter((d) => d.kind === kind);
        if (docs.length === 0) continue;
        await writeFile(join(flags.out, file), yamlDocuments(docs.map(asPlainDocument), header));
        written.push(`${docs.length} ${kind.toLowerCase()}${docs.length === 1 ? '' : 's'} to ${join(flags.out, file)}`);
      }
      console.error(`wrote ${written.join(', ') || 'nothing (no Groups, Users, Components or Resources found)'}`);
    });

  catalog
    .command('export')
    .description('write the config directory\'s Teams, Users and Services as a Backstage catalog-info.yaml (Group, User, Component)')
    .addOption(new Option('--config <dir>', 'directory of YAML config').env('PRODENG_CONFIG').makeOptionMandatory())
    .option('--out <file>', 'write to this file instead of printing')
    .action(async (flags: { config: string; out?: string }) => {
      const loaded = await loadConfiguration(flags.config);
      if (!loaded.ok) {
        for (const e of loaded.errors) console.error(formatConfigError(e));
        console.error(`${loaded.errors.length} error${loaded.errors.length === 1 ? '' : 's'} in ${flags.config}; nothing exported`);
        process.exitCode = 1;
        return;
      }
      const text = yamlDocuments(exportCatalog(loaded.config), `Exported from the prodeng config at ${flags.config} by \`prodeng catalog export\`.`);
      if (flags.out) await writeFile(flags.out, text);
      else process.stdout.write(text);
    });
  return catalog;
}
