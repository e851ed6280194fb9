import { routeFor, type PagingDirectory } from './directory.js';
import { channelsOf, sendBy, teamMembers } from './paging.js';

/**
 * A notice (not a page) to every member of the team that owns a service,
 * by each of their channels; `record` is told, in words, of each send and
 * of anyone who could not be reached, so the caller keeps an account.
 */
export async function tellTeam(directory: PagingDirectory, notice: { service: string; title: string; lines: string[] }, record: (detail: string) => Promise<unknown>): Promise<void> {
  const route = routeFor(directory, notice.service);
  const members = teamMembers(directory, route.team);
  if (members.length === 0) return void (await record(`nobody was told: ${route.team ? `team ${route.team} has no members` : route.why}`));
  for (const user of members) {
    const channels = channelsOf(directory, user);
    if (channels.length === 0) await record(`${user} has no email address or contacts`);
    for (const channel of channels) {
      const result = await sendBy(directory, user, channel, { purpose: 'notice', incidentId: null, title: notice.title, service: notice.service, story: notice.lines, ackUrl: null, shadowing: null, to: user });
      await record(`${result.ok ? 'told' : 'could not tell'} ${user} of team ${route.team} by ${channel}: ${result.detail}`);
    }
  }
}
