import { Command, Option } from 'commander';

/** --url/--token for every command that talks to a running server. */
export function withServerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--url <url>', 'prodeng server URL').env('PRODENG_URL').default('http://127.0.0.1:8080'))
    .addOption(new Option('--token <token>', 'API token').env('PRODENG_TOKEN'));
}

export interface ServerFlags {
  url: string;
  token?: string;
}
