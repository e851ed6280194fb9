import { DateTime } from 'luxon';
import type { Logger } from 'pino';
import type { Clock } from '../store/clock.js';
import type { DbOrTx, Store } from '../store/store.js';
import { claimWork, enqueueWork, finishWork, renewLease } from '../store/workQueue.js';
import { periodicTask } from '../store/periodicTask.js';
import type { LiveSchedules } from '../oncall/liveSchedules.js';
import { ackLink, linkSecret } from './ackLinks.js';
import { sendEmail, sendSlack, sendWebhook, type DeliveryResult, type PageMessage } from './channels.js';
import { recipientsOf, routeFor, type PagingDirectory } from './directory.js';
import { incidentEvent } from './incidentEvents.js';

import { NOTIFY_WORK, PAGE_WORK } from './pageWork.js';

export interface PagingOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  directory: PagingDirectory;
  /** the schedules with their stored overrides; the API's own instance, so an override added there pages at once */
  liveSchedules: LiveSchedules;
  /** where acknowledgement links point (PRODENG_PUBLIC_URL, else the server's own URL) */
  baseUrl(): string;
  owner: string;
  /** pages one person may get per minute before further ones are held back */
  perUserPerMinute?: number;
  maxAttempts?: number;
  /** other messages the paging worker sends, by work kind (an SLO's notice to its team) */
  messages?: Record<string, (payload: unknown, now: number) => Promise<void>>;
}

const SYSTEM = 'prodeng';

/**
 * One step of an incident's escalation: page the step's people (and copy
 * their shadows), then schedule the next step after the step's delay. An
 * acknowledged or resolved incident is not paged again.
 */
async function pageStep(opts: PagingOptions, incidentId: number, payload: { step: number; round: number }): Promise<void> {
  const { store, clock, directory } = opts;
  const db = store.db;
  const now = clock.now();
  const incident = await db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirst();
  if (!incident || incident.status !== 'open') return;
  if (incident.urgency === 'low') return tellTeamOfTicket(opts, incidentId, incident.service);
  let policyName = incident.escalation_policy;
  let team = incident.team;
  if (payload.step === 0 && payload.round === 0 && !policyName) {
    const route = routeFor(directory, incident.service);
    team = route.team;
    policyName = route.policy;
    await db.updateTable('incidents').set({ team, escalation_policy: policyName, updated_at: now }).where('id', '=', incidentId).execute();
    if (!policyName) {
      await incidentEvent(db, incidentId, { kind: 'nobody-paged', actor: SYSTEM, message: `nobody was paged: ${route.why}` }, now);
      return;
    }
  }
  const policy = policyName ? directory.policies.get(policyName) : undefined;
  if (!policy) {
    await incidentEvent(db, incidentId, { kind: 'nobody-paged', actor: SYSTEM, message: `nobody was paged: escalation policy ${policyName} is not in the config` }, now);
    return;
  }
  const step = policy.steps[payload.step]!;
  const label = `step ${payload.step + 1} of ${policy.steps.length}${payload.round > 0 ? `, round ${payload.round + 1}` : ''}`;
  const schedules = (await opts.liveSchedules.current()).specs;
  const recipients = recipientsOf({ ...directory, schedules }, step.targets, DateTime.fromMillis(now, { zone: 'UTC' }));
  if (recipients.users.length === 0) {
    const fallback = team ? directory.teams.get(team)?.fallback : undefined;
    if (fallback) {
      recipients.users.push({ user: fallback, via: `team ${team}'s fallback` });
      await incidentEvent(db, incidentId, { kind: 'nobody-on-call', actor: SYSTEM, message: `${label}: nobody is on call for its targets; paging team ${team}'s fallback ${fallback}` }, now);
    } else {
      await incidentEvent(db, incidentId, { kind: 'nobody-on-call', actor: SYSTEM, message: `${label}: nobody is on call for its targets and team ${team ?? '(none)'} has no fallback` }, now);
    }
  }
  await db.transaction().execute(async (tx) => {
    const notify = (user: string, shadowing: string | null) => queueNotifications(tx, directory, incidentId, user, shadowing, now);
    for (const r of recipients.users) await notify(r.user, null);
    for (const s of recipients.shadows) await notify(s.user, s.shadowing);
    const who = recipients.users.map((r) => `${r.user} (${r.via})`).join(', ') || 'nobody';
    await incidentEvent(tx, incidentId, { kind: 'paged', actor: SYSTEM, message: `${label}: paging ${who}${recipients.shadows.length ? `; copies to shadows ${recipients.shadows.map((s) => s.user).join(', ')}` : ''}`, data: { step: payload.step, round: payload.round, recipients } }, now);
    let next: { step: number; round: number } | null = null;
    if (payload.step + 1 < policy.steps.length) next = { step: payload.step + 1, round: payload.round };
    else if (payload.round < policy.repeat) next = { step: 0, round: payload.round + 1 };
    await tx.updateTable('incidents').set({ escalation_step: payload.step, escalation_round: payload.round, updated_at: now }).where('id', '=', incidentId).execute();
    if (next) await enqueueWork(tx, [{ kind: PAGE_WORK, subject: String(incidentId), payload: next, runAt: now + step.delay }], now);
    else await enqueueWork(tx, [{ kind: PAGE_WORK, subject: String(incidentId), payload: { step: -1, round: payload.round }, runAt: now + step.delay }], now);
  });
}

/**
 * A ticket (a low-urgency incident) is not paged: each member of the owning
 * team is told once, by their usual channels, and nothing escalates.
 */
async function tellTeamOfTicket(opts: PagingOptions, incidentId: number, service: string | null): Promise<void> {
  const { store, clock, directory } = opts;
  const now = clock.now();
  const route = routeFor(directory, service);
  const members = teamMembers(directory, route.team);
  await store.db.transaction().execute(async (tx) => {
    await tx.updateTable('incidents').set({ team: route.team, updated_at: now }).where('id', '=', incidentId).execute();
    if (members.length === 0) {
      await incidentEvent(tx, incidentId, { kind: 'nobody-notified', actor: SYSTEM, message: `ticket: nobody was told: ${route.team ? `team ${route.team} has no members` : route.why}` }, now);
      return;
    }
    for (const user of members) await queueNotifications(tx, directory, incidentId, user, null, now);
    await incidentEvent(tx, incidentId, { kind: 'team-notified', actor: SYSTEM, message: `ticket for team ${route.team}: telling ${members.join(', ')}; nobody is paged`, data: { team: route.team, members } }, now);
  });
}

/** One pending notification per channel of the user (a shadow's copy when `shadowing` names whom), each sent by the worker. */
async function queueNotifications(tx: DbOrTx, directory: PagingDirectory, incidentId: number, user: string, shadowing: string | null, now: number): Promise<void> {
  for (const channel of channelsOf(directory, user)) {
    const row = await tx
      .insertInto('notifications')
      .values({ incident_id: incidentId, user_name: user, channel, shadow: shadowing ? 1 : 0, shadowing, status: 'pending', attempts: 0, last_error: null, created_at: now, sent_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    await enqueueWork(tx, [{ kind: NOTIFY_WORK, subject: String(row.id) }], now);
  }
}

/** A team's members by name, once each. */
export function teamMembers(directory: PagingDirectory, team: string | null): string[] {
  if (!team) return [];
  return [...new Set((directory.teams.get(team)?.members ?? []).map((m) => m.user))];
}

/** The channels to reach a user by: their contacts, else their email. */
export function channelsOf(directory: PagingDirectory, user: string): string[] {
  const spec = directory.users.get(user);
  const contacts = spec?.contacts?.map((c) => c.type) ?? [];
  if (contacts.length > 0) return [...new Set(contacts)];
  return spec?.email ? ['email'] : [];
}

/** One message to one user by one of their channels. */
export async function sendBy(directory: PagingDirectory, userName: string, channel: string, message: PageMessage): Promise<DeliveryResult> {
  const user = directory.users.get(userName);
  if (channel === 'email') {
    const contact = user?.contacts?.find((c): c is { type: 'email'; address?: string } => c.type === 'email');
    const address = contact?.address ?? user?.email;
    return address ? sendEmail(address, message) : { ok: false, detail: `${userName} has no email address` };
  }
  const contact = user?.contacts?.find((c) => c.type === channel) as { urlEnv?: string } | undefined;
  const url = contact?.urlEnv ? process.env[contact.urlEnv] : undefined;
  if (!url) return { ok: false, detail: `${userName}'s ${channel} URL is not set (environment variable ${contact?.urlEnv ?? '?'})` };
  return channel === 'slack' ? sendSlack(url, message) : sendWebhook(url, message);
}

async function deliver(opts: PagingOptions, notificationId: number): Promise<void> {
  const { store, clock, directory } = opts;
  const db = store.db;
  const n = await db.selectFrom('notifications').selectAll().where('id', '=', notificationId).executeTakeFirst();
  if (!n || n.status !== 'pending') return;
  const incident = await db.selectFrom('incidents').selectAll().where('id', '=', n.incident_id).executeTakeFirstOrThrow();
  const now = clock.now();
  if (incident.status !== 'open') {
    await db.updateTable('notifications').set({ status: 'failed', last_error: `not sent: the incident was ${incident.status} first` }).where('id', '=', n.id).execute();
    return;
  }
  const recent = await db
    .selectFrom('notifications')
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .where('user_name', '=', n.user_name)
    .where('status', '=', 'sent')
    .where('sent_at', '>=', now - 60_000)
    .executeTakeFirstOrThrow();
  const limit = opts.perUserPerMinute ?? 10;
  if (Number(recent.n) >= limit) {
    await db.updateTable('notifications').set({ status: 'failed', last_error: `held back: ${n.user_name} already got ${limit} pages in the last minute` }).where('id', '=', n.id).execute();
    await incidentEvent(db, n.incident_id, { kind: 'notification.failed', actor: SYSTEM, message: `did not page ${n.user_name} by ${n.channel}: already ${limit} pages in the last minute (rate limit)` }, now);
    return;
  }
  const shadowing = n.shadow ? (n.shadowing ?? 'the primary') : null;
  const story = (JSON.parse(incident.story) as string[]).slice(-20);
  const message: PageMessage = {
    purpose: shadowing ? 'shadow' : incident.urgency === 'low' ? 'ticket' : 'page',
    incidentId: incident.id,
    title: incident.title,
    service: incident.service,
    story,
    ackUrl: shadowing ? null : ackLink(opts.baseUrl(), await linkSecret(db), incident.id, n.user_name),
    shadowing,
    to: n.user_name,
  };
  const result = await sendBy(directory, n.user_name, n.channel, message);
  const attempts = n.attempts + 1;
  if (result.ok) {
    await db.updateTable('notifications').set({ status: 'sent', attempts, sent_at: clock.now(), last_error: null }).where('id', '=', n.id).execute();
    await incidentEvent(db, n.incident_id, { kind: 'notified', actor: SYSTEM, message: `${shadowing ? `copy to shadow ${n.user_name}` : message.purpose === 'ticket' ? `told ${n.user_name} of the ticket` : `paged ${n.user_name}`} by ${n.channel}: ${result.detail}`, data: { notification: n.id, user: n.user_name, channel: n.channel, shadow: !!shadowing } }, clock.now());
    return;
  }
  const maxAttempts = opts.maxAttempts ?? 4;
  if (attempts < maxAttempts) {
    // Backoff: 2 s, 4 s, 8 s…
    await db.updateTable('notifications').set({ attempts, last_error: result.detail }).where('id', '=', n.id).execute();
    await enqueueWork(db, [{ kind: NOTIFY_WORK, subject: String(n.id), runAt: clock.now() + 1000 * 2 ** attempts }], clock.now());
    return;
  }
  await db.updateTable('notifications').set({ status: 'failed', attempts, last_error: result.detail }).where('id', '=', n.id).execute();
  await incidentEvent(db, n.incident_id, { kind: 'notification.failed', actor: SYSTEM, message: `could not page ${n.user_name} by ${n.channel} after ${attempts} attempts: ${result.detail}` }, clock.now());
}

async function escalationEnded(opts: PagingOptions, incidentId: number): Promise<void> {
  const incident = await opts.store.db.selectFrom('incidents').select(['status']).where('id', '=', incidentId).executeTakeFirst();
  if (incident?.status === 'open') {
    await incidentEvent(opts.store.db, incidentId, { kind: 'escalation.exhausted', actor: SYSTEM, message: 'every step of the escalation policy was paged and nobody acknowledged' }, opts.clock.now());
  }
}

/** One pass over due paging work: escalation steps and notifications. */
export async function runPagingWork(opts: PagingOptions): Promise<number> {
  let handled = 0;
  for (const kind of [PAGE_WORK, NOTIFY_WORK, ...Object.keys(opts.messages ?? {})]) {
    const items = await claimWork(opts.store, { kind, owner: opts.owner, leaseMs: 60_000, limit: 50, now: opts.clock.now() });
    await Promise.all(
      items.map(async (item) => {
        const renewal = setInterval(() => void renewLease(opts.store.db, { id: item.id, owner: opts.owner, leaseMs: 60_000, now: opts.clock.now() }).catch(() => undefined), 20_000);
        try {
          if (kind === PAGE_WORK) {
            const payload = JSON.parse(item.payload) as { step: number; round: number };
            if (payload.step < 0) await escalationEnded(opts, Number(item.subject));
            else await pageStep(opts, Number(item.subject), payload);
          } else if (kind === NOTIFY_WORK) await deliver(opts, Number(item.subject));
          else await opts.messages![kind]!(JSON.parse(item.payload), opts.clock.now());
          await finishWork(opts.store.db, { id: item.id, owner: opts.owner, now: opts.clock.now() });
        } catch (err) {
          opts.logger.error({ err, work: item.kind, subject: item.subject }, 'paging work failed');
          await finishWork(opts.store.db, { id: item.id, owner: opts.owner, now: opts.clock.now(), error: (err as Error).message });
        } finally {
          clearInterval(renewal);
        }
      }),
    );
    handled += items.length;
  }
  return handled;
}

export function startPagingWorker(opts: PagingOptions, intervalMs: number) {
  return periodicTask(() => runPagingWork(opts), { intervalMs, fallback: 0, onError: (err) => opts.logger.error({ err }, 'paging pass failed') });
}
