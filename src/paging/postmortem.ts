import type { incidentWithTimeline } from './incidentView.js';

type Incident = NonNullable<Awaited<ReturnType<typeof incidentWithTimeline>>>;

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
