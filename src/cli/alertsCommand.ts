import { Command } from 'commander';
import type { AlertView } from '../intake/alertView.js';
import { apiClient } from './apiClient.js';
import { withServerOptions, type ServerFlags } from './serverOptions.js';
import { formatTable } from './table.js';

export function alertsCommand(): Command {
  const alerts = new Command('alerts').description('read alerts from a running server');
  withServerOptions(
    alerts
      .command('list')
      .description('alerts, newest first')
      .option('--status <status>', 'firing, acknowledged, resolved (comma-separated)')
      .option('--service <name>', 'only this service')
      .option('--match <matcher...>', 'label matchers such as alertname="WebDown" or instance=~"web-.*"')
      .option('--limit <n>', 'how many', '50')
      .option('--json', 'print JSON'),
  ).action(async (flags: ServerFlags & { status?: string; service?: string; match?: string[]; limit: string; json?: boolean }) => {
    const q = new URLSearchParams({ limit: flags.limit });
    if (flags.status) q.set('status', flags.status);
    if (flags.service) q.set('service', flags.service);
    for (const m of flags.match ?? []) q.append('match[]', m);
    // A filtered request examines a bounded window of alerts; page on by the cursor until the list is full.
    const client = apiClient(flags);
    const wanted = Number(flags.limit);
    const page: { alerts: AlertView[]; nextCursor: number | null } = { alerts: [], nextCursor: null };
    for (;;) {
      const next = await client.get<{ alerts: AlertView[]; nextCursor: number | null }>(`/api/v1/alerts?${q}`);
      page.alerts.push(...next.alerts);
      page.nextCursor = next.nextCursor;
      if (next.nextCursor === null || page.alerts.length >= wanted) break;
      q.set('before', String(next.nextCursor));
      q.set('limit', String(wanted - page.alerts.length));
    }
    if (flags.json) return console.log(JSON.stringify(page, null, 2));
    if (page.alerts.length === 0) return console.log('no alerts');
    console.log(
      formatTable(
        ['ID', 'STATUS', 'SEVERITY', 'SERVICE', 'SOURCE', 'SINCE', 'SUMMARY'],
        page.alerts.map((a) => [
          String(a.id),
          a.silenced ? `${a.status} (silenced)` : a.status,
          a.severity,
          a.service ?? '-',
          a.source,
          a.startsAt.replace('T', ' ').slice(0, 19),
          a.summary,
        ]),
      ),
    );
  });
  withServerOptions(alerts.command('show <id>').description('one alert with its event history')).action(async (id: string, flags: ServerFlags) => {
    console.log(JSON.stringify(await apiClient(flags).get(`/api/v1/alerts/${encodeURIComponent(id)}`), null, 2));
  });
  return alerts;
}
