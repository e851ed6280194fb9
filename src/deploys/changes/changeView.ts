import type { StoredChange } from './changeStore.js';

/** A change as the API, the CLI and the console show it: times in RFC 3339, like every other reply. */
export interface ChangeView {
  id: number;
  service: string;
  version: string | null;
  kind: StoredChange['kind'];
  summary: string;
  who: string;
  commit: string | null;
  link: string | null;
  source: StoredChange['source'];
  at: string;
  details: Record<string, unknown>;
  receivedAt: string;
}

export function changeView(c: StoredChange): ChangeView {
  return { ...c, at: new Date(c.at).toISOString(), receivedAt: new Date(c.receivedAt).toISOString() };
}

/** One line for a timeline or a postmortem: "checkout deploy 1.4.2: Raise the pool size (commit 3f9c2ab)". */
export function changeLine(c: Pick<StoredChange, 'service' | 'kind' | 'version' | 'summary' | 'commit'>): string {
  return `${c.service} ${c.kind}${c.version ? ` ${c.version}` : ''}: ${c.summary}${c.commit ? ` (commit ${c.commit.slice(0, 12)})` : ''}`;
}
