import type { incidentWithTimeline } from './incidentView.js';

type Incident = NonNullable<Awaited<ReturnType<typeof incidentWithTimeline>>>;

const cell = (s: string) => s.replaceAll('|', '\\|').replace(/[\r\n]+/g, ' ');

/** The changes in the hour before the incident opened and while it was open: the first suspects, for the authors to clear or blame. */
function changesSection(i: Incident): string {
  if (i.changesBefore.length === 0) return '- (no change on the record for the service or what it depends on)';
  const rows = [...i.changesBefore].reverse().map((c) => {
    const mins = Math.round((Date.parse(i.createdAt) - Date.parse(c.at)) / 60_000);
    const when = c.when === 'before' ? `${mins} min before` : `${-mins} min after it opened`;
    const what = `${c.kind}${c.version ? ` ${c.version}` : ''}: ${c.summary}${c.commit ? ` (commit ${c.commit.slice(0, 12)})` : ''}${c.link ? ` ${c.link}` : ''}`;
    return `| ${c.at.replace('T', ' ').slice(0, 19)} (${when}) | ${cell(c.service)}${c.via ? ` (dependency: ${cell(c.via.join(' → '))})` : ''} | ${cell(what)} | ${cell(c.who)} |`;
  });
  return ['| time (UTC) | service | what | who |', '|---|---|---|---|', ...rows].join('\n');
}

const minutes = (from: string, to: string | null) => (to ? `${Math.round((Date.parse(to) - Date.parse(from)) / 60_000)} min` : 'not yet');

/** A postmortem draft in Markdown from the timeline: the facts filled in, the judgement left to the authors. */
export function postmortemDraft(i: Incident): string {
  const pages = i.timeline.filter((t) => t.kind === 'notified').length;
  const automated = i.timeline.filter((t) => t.source === 'remediation' && t.kind.startsWith('step')).length;
  return `# Postmortem: ${i.title}

*Draft made by prodeng from incident #${i.id}'s timeline. Fill in what the timeline cannot know.*

## Summary

| | |
|---|---|
| Service | ${i.service ?? '-'} |
| Team | ${i.team ?? '-'} |
| Opened | ${i.createdAt} |
| Acknowledged | ${i.acknowledgedAt ?? 'never'}${i.acknowledgedBy ? ` by ${i.acknowledgedBy}` : ''} (after ${minutes(i.createdAt, i.acknowledgedAt)}) |
| Resolved | ${i.resolvedAt ?? 'not yet'}${i.resolvedBy ? ` by ${i.resolvedBy}` : ''} (after ${minutes(i.createdAt, i.resolvedAt)}) |
| Alerts | ${i.alertIds.join(', ') || '-'} |
| Automation | ${i.remediationId ? `remediation ${i.remediationId}, ${automated} step event(s)` : 'none'} |
| Pages sent | ${pages} |

## What changed

${changesSection(i)}

## Impact

_Who noticed what, for how long?_

## What automation knew

${i.story.map((line) => `- ${line}`).join('\n') || '- (nothing)'}

## Timeline

| time (UTC) | from | what |
|---|---|---|
${i.timeline.map((t) => `| ${t.at.replace('T', ' ').slice(0, 19)} | ${t.source}${t.actor ? ` (${t.actor})` : ''} | ${t.message.replaceAll('|', '\\|')} |`).join('\n')}

## Root cause

_Why did it happen? Why did automation not fix it?_

## What went well, what did not

## Action items

| item | owner | due |
|---|---|---|
| | | |
`;
}
