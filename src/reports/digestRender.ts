import type { Digest, DigestIncident, HostDisk, ServiceHealth } from './digest.js';

/** What both renderings show, worded once so the text and the HTML never disagree. */

export const digestSubject = (d: Digest) => `[prodeng] Daily digest for team ${d.team} — ${d.date}`;

const minute = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;
const percent = (share: number, digits: number) => `${(share * 100).toFixed(digits)}%`;
const ms = (v: number | null) => (v === null ? '-' : `${v} ms`);
const availability = (h: ServiceHealth) => (h.availability === null ? 'no probe checks' : `${percent(h.availability, 2)} (${h.passed} of ${h.checks})`);
const used = (h: HostDisk) => (h.usedPercent === null ? 'no data' : `${h.usedPercent.toFixed(1)}%`);
const filesystems = (h: HostDisk) => h.filesystems.map((f) => `${f.mountpoint} ${f.usedPercent.toFixed(1)}%`).join(', ') || '-';
const windowLine = (d: Digest) => `${minute(d.since)} to ${minute(d.until)}; services: ${d.services.join(', ') || '(none)'}`;
const diskHeading = (d: Digest) => (d.disk.measured ? `Disk capacity (Prometheus, at ${minute(d.disk.at)})` : 'Disk capacity');
const paretoHeading = (d: Digest) => `Top alerts (${d.pareto.entries.length} of ${d.pareto.templates} template(s), ${d.pareto.total} firing(s))`;

function incidentState(i: DigestIncident): string {
  if (i.status === 'resolved') return `resolved${i.resolvedBy ? ` by ${i.resolvedBy}` : ''}`;
  if (i.acknowledgedBy) return `acknowledged by ${i.acknowledgedBy}`;
  return i.status;
}

function incidentTimes(i: DigestIncident): string {
  const times = [`opened ${minute(i.createdAt)}`];
  if (i.acknowledgedAt) times.push(`acknowledged ${minute(i.acknowledgedAt)}`);
  if (i.resolvedAt) times.push(`resolved ${minute(i.resolvedAt)}`);
  return times.join(', ');
}

function remediationLine(d: Digest): string {
  const r = d.remediations;
  const s = r.byStatus;
  const approved = s.approvedByHuman > 0 ? ` (${s.approvedByHuman} after a human's approval)` : '';
  return `${r.finished} finished (${s.succeeded} succeeded${approved}, ${s.failed} failed, ${s.escalated} escalated, ${s.skipped} skipped); ${r.minutesSaved} minutes of manual work saved`;
}

function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}`;
  return [line(headers), ...rows.map(line)];
}

function sloRow(s: Digest['slos'][number]): string[] {
  return [s.name, s.service, `${s.objective}%`, s.budgetRemaining === null ? 'not evaluated yet' : `${(s.budgetRemaining * 100).toFixed(1)}%`, s.tier ? `${s.tier} (${s.urgency})` : '-'];
}

export function renderDigestText(d: Digest): string {
  const out = [`Daily digest for team ${d.team} — ${d.date}`, windowLine(d), ''];

  out.push('Availability and latency (probe checks)');
  if (d.health.length === 0) out.push('  the team owns no service');
  else out.push(...table(['SERVICE', 'AVAILABILITY', 'P50', 'P95'], d.health.map((h) => [h.service, availability(h), ms(h.latencyP50Ms), ms(h.latencyP95Ms)])));
  out.push('');

  out.push(diskHeading(d));
  if (!d.disk.measured) out.push(`  ${d.disk.reason}`);
  else {
    if (d.disk.hosts.length === 0) out.push('  the team has no hosts');
    else out.push(...table(['HOST', 'ADDRESS', 'USED', 'FILESYSTEMS'], d.disk.hosts.map((h) => [h.host, h.address ?? '-', used(h), filesystems(h)])));
    if (d.disk.unmatchedInstances.length > 0) out.push(`  (series of instances matching no host: ${d.disk.unmatchedInstances.join(', ')})`);
  }
  out.push('');

  out.push(paretoHeading(d));
  if (d.pareto.entries.length === 0) out.push('  no alerts fired');
  d.pareto.entries.forEach((e, i) => {
    const services = e.services.length > 0 ? ` [${e.services.join(', ')}]` : '';
    out.push(`  ${i + 1}. ${e.count}× ${e.template} (${percent(e.share, 1)}, cumulative ${percent(e.cumulativeShare, 1)})${services}`);
  });
  out.push('');

  out.push(`Incidents opened (${d.incidents.length})`);
  if (d.incidents.length === 0) out.push('  none');
  for (const i of d.incidents) out.push(`  #${i.id} [${incidentState(i)}] ${i.title}${i.service ? ` (${i.service})` : ''}: ${incidentTimes(i)}`);
  out.push('');

  out.push('Remediations');
  out.push(`  ${remediationLine(d)}`);
  if (d.slos.length > 0) {
    out.push('');
    out.push('Error budgets (SLOs)');
    out.push(...table(['SLO', 'SERVICE', 'OBJECTIVE', 'BUDGET LEFT', 'ALERT'], d.slos.map(sloRow)));
  }
  if (d.upkeepDue.length > 0) {
    out.push('');
    out.push('Upkeep due');
    for (const line of d.upkeepDue) out.push(`  ${line}`);
  }
  return `${out.join('\n')}\n`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Every value goes through this: titles and labels come from alert senders, and a mail client renders what it gets. */
export const escapeHtml = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const CELL = 'style="padding:2px 12px 2px 0;text-align:left"';
function htmlTable(headers: string[], rows: string[][]): string {
  const head = `<tr>${headers.map((h) => `<th ${CELL}>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td ${CELL}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table style="border-collapse:collapse">\n${head}\n${body}\n</table>`;
}
const p = (text: string) => `<p>${escapeHtml(text)}</p>`;
const h3 = (text: string) => `<h3>${escapeHtml(text)}</h3>`;
const bullets = (items: string[]) => `<ul>\n${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`;

export function renderDigestHtml(d: Digest): string {
  const parts = [`<h2>${escapeHtml(`Daily digest for team ${d.team} — ${d.date}`)}</h2>`, p(windowLine(d))];

  parts.push(h3('Availability and latency (probe checks)'));
  if (d.health.length === 0) parts.push(p('the team owns no service'));
  else parts.push(htmlTable(['Service', 'Availability', 'p50', 'p95'], d.health.map((h) => [h.service, availability(h), ms(h.latencyP50Ms), ms(h.latencyP95Ms)])));

  parts.push(h3(diskHeading(d)));
  if (!d.disk.measured) parts.push(p(d.disk.reason));
  else {
    if (d.disk.hosts.length === 0) parts.push(p('the team has no hosts'));
    else parts.push(htmlTable(['Host', 'Address', 'Used', 'Filesystems'], d.disk.hosts.map((h) => [h.host, h.address ?? '-', used(h), filesystems(h)])));
    if (d.disk.unmatchedInstances.length > 0) parts.push(p(`Series of instances matching no host: ${d.disk.unmatchedInstances.join(', ')}`));
  }

  parts.push(h3(paretoHeading(d)));
  if (d.pareto.entries.length === 0) parts.push(p('no alerts fired'));
  else
    parts.push(
      htmlTable(
        ['#', 'Firings', 'Share', 'Cumulative', 'Template', 'Services'],
        d.pareto.entries.map((e, i) => [String(i + 1), String(e.count), percent(e.share, 1), percent(e.cumulativeShare, 1), e.template, e.services.join(', ') || '-']),
      ),
    );

  parts.push(h3(`Incidents opened (${d.incidents.length})`));
  if (d.incidents.length === 0) parts.push(p('none'));
  else parts.push(bullets(d.incidents.map((i) => `#${i.id} [${incidentState(i)}] ${i.title}${i.service ? ` (${i.service})` : ''}: ${incidentTimes(i)}`)));

  parts.push(h3('Remediations'), p(remediationLine(d)));
  if (d.slos.length > 0) parts.push(h3('Error budgets (SLOs)'), htmlTable(['SLO', 'Service', 'Objective', 'Budget left', 'Alert'], d.slos.map(sloRow)));
  if (d.upkeepDue.length > 0) parts.push(h3('Upkeep due'), bullets(d.upkeepDue));
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(digestSubject(d))}</title></head>\n<body style="font-family:sans-serif">\n${parts.join('\n')}\n</body></html>\n`;
}
