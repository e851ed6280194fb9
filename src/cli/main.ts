#!/usr/bin/env node
import { Command } from 'commander';
import { ApiError } from './apiClient.js';
import { serveCommand } from './serveCommand.js';
import { checkConfigCommand } from './checkConfigCommand.js';
import { alertsCommand } from './alertsCommand.js';
import { silenceCommand } from './silenceCommand.js';
import { runbooksCommand } from './runbooksCommand.js';
import { remediationCommand } from './remediationCommand.js';
import { hostsCommand } from './hostsCommand.js';
import { poolsCommand } from './poolsCommand.js';
import { clusterCommand } from './clusterCommand.js';
import { labCommand } from './labCommand.js';
import { reportCommand } from './reportCommand.js';
import { oncallCommand, schedulesCommand } from './oncallCommand.js';
import { incidentsCommand } from './incidentsCommand.js';
import { digestCommand } from './digestCommand.js';
import { sloCommand } from './sloCommand.js';
import { chaosCommand } from './chaosCommand.js';
import { scorecardCommand } from './scorecardCommand.js';
import { catalogCommand } from './catalogCommand.js';
import { changeCommand } from './changeCommand.js';
import { StartupError } from '../server.js';

const program = new Command('prodeng')
  .description('production engineering: alert intake, auto-remediation, fleet, on-call, reports, lab')
  .version('0.1.0')
  // Options after a subcommand belong to it (`oncall --schedule` and `oncall override add --schedule` differ).
  .enablePositionalOptions()
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(checkConfigCommand());
program.addCommand(alertsCommand());
program.addCommand(silenceCommand());
program.addCommand(runbooksCommand());
program.addCommand(remediationCommand());
program.addCommand(hostsCommand());
program.addCommand(poolsCommand());
program.addCommand(clusterCommand());
program.addCommand(labCommand());
program.addCommand(reportCommand());
program.addCommand(oncallCommand());
program.addCommand(schedulesCommand());
program.addCommand(incidentsCommand());
program.addCommand(digestCommand());
program.addCommand(sloCommand());
program.addCommand(chaosCommand());
program.addCommand(scorecardCommand());
program.addCommand(catalogCommand());
program.addCommand(changeCommand());

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof ApiError || err instanceof StartupError) {
    console.error(`prodeng: ${err.message}`);
  } else {
    console.error(`prodeng: ${(err as Error).message ?? err}`);
  }
  process.exitCode = 1;
}
