import { Command } from 'commander';
import type { Digest } from '../reports/digest.js';
import { renderDigestHtml, renderDigestText } from '../reports/digestRender.js';
import type { DigestDelivery } from '../reports/digestSchedule.js';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';

interface DigestFlags extends ServerFlags {
  team: string;
  date?: string;
  print?: boolean;
  send?: boolean;
  html?: boolean;
  json?: boolean;
}

/** The server builds the digest; the CLI renders it with the same code the email uses, so what it prints is what is sent. */
export function digestCommand(): Command {
  return withServerOptions(
    new Command('digest')
      .description("a team's daily KPI digest: availability and latency, disk, top alerts, incidents, remediations")
      .requiredOption('--team <team>', 'the team')
      .option('--date <day>', 'a UTC day as YYYY-MM-DD (default: the last 24 hours)')
      .option('--print', 'print the digest (the default without --send)')
      .option('--send', 'email it to the team now')
      .option('--html', 'print the HTML instead of the plain text')
      .option('--json', 'print the digest data (and with --send, what was sent) as JSON'),
  ).action(async (flags: DigestFlags) => {
    const api = apiClient(flags);
    if (flags.print || !flags.send) {
      const q = new URLSearchParams({ team: flags.team });
      if (flags.date) q.set('date', flags.date);
      const digest = await api.get<Digest>(`/api/v1/reports/digest?${q}`);
      if (flags.json) console.log(JSON.stringify(digest, null, 2));
      else console.log((flags.html ? renderDigestHtml(digest) : renderDigestText(digest)).trimEnd());
    }
    if (flags.send) {
      const sent = await api.post<DigestDelivery>('/api/v1/reports/digest/send', { team: flags.team, ...(flags.date ? { date: flags.date } : {}) });
      if (flags.json) console.log(JSON.stringify(sent, null, 2));
      else console.log(`sent "${sent.subject}" to ${sent.to.join(', ')}`);
    }
  });
}
