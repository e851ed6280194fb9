import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { journalExitCode, type Journal } from '../chaos/experiment/index.js';

interface RunView {
  id: number;
  title: string;
  status: string;
  deviated: boolean;
  journal: (Journal & { refused?: string }) | null;
}

/**
 * `prodeng chaos start NAME`: the server runs the config Experiment NAME
 * (its http and process activities run on the server, not here); this
 * waits for it and exits as `chaos run` does. Ctrl-C stops the waiting,
 * not the run.
 */
export function chaosStartCommand(): Command {
  return withServerOptions(
    new Command('start')
      .argument('<name>', 'the Experiment document to run')
      .description('run a config Experiment on the server and wait for it; exits non-zero when it did not complete or deviated')
      .option('--journal-path <path>', 'also write the journal here')
      .option('--no-wait', 'print the run id and return at once'),
  ).action(async (name: string, flags: ServerFlags & { journalPath?: string; wait: boolean }) => {
    const api = apiClient(flags);
    let id: number;
    try {
      ({ id } = await api.post<{ id: number }>(`/api/v1/chaos/experiments/${encodeURIComponent(name)}/runs`, {}));
    } catch (err) {
      console.error(`the run was not started: ${(err as Error).message}`);
      process.exitCode = 1;
      return;
    }
    console.log(`chaos run ${id}: ${name} (running on the server; prodeng chaos report ${id})`);
    if (!flags.wait) return;
    let run: RunView;
    for (;;) {
      run = await api.get<RunView>(`/api/v1/chaos/runs/${id}`);
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    // A run whose lease ran out (its server died) ends without a journal: its status says how it ended.
    const journal = run.journal ?? ({ status: run.status, deviated: run.deviated } as Journal);
    if (flags.journalPath) await writeFile(flags.journalPath, JSON.stringify(journal, null, 2));
    console.log(`${journal.status}${journal.deviated ? ', deviated' : ''}${flags.journalPath ? `; journal in ${flags.journalPath}` : ''}`);
    process.exitCode = journalExitCode(journal);
  });
}

/** `prodeng chaos report RUN_ID`: the run's report, Markdown, on stdout. */
export function chaosReportCommand(): Command {
  return withServerOptions(new Command('report').argument('<run-id>', 'the chaos run').description("print a chaos run's report (Markdown): verdict, probes, faults, alert timeline")).action(async (runId: string, flags: ServerFlags) => {
    process.stdout.write(await apiClient(flags).getText(`/api/v1/chaos/runs/${encodeURIComponent(runId)}/report`));
  });
}
