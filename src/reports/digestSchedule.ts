import { Cron } from 'croner';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import type { PagingDirectory } from '../paging/directory.js';
import type { Clock } from '../store/clock.js';
import type { DbOrTx } from '../store/store.js';
import { lastDay, prometheusFromEnv, teamDigest, type Digest, type DigestTeams } from './digest.js';
import { digestSubject, renderDigestHtml, renderDigestText } from './digestRender.js';
import { teamNames } from './teamReports.js';

/** When and how digests go out: the croner job, and one email per team. */

export const DEFAULT_DIGEST_CRON = '0 8 * * *';

export interface DigestScheduleOptions {
  /** a cron pattern (croner: 5 or 6 fields); default every day at 08:00 */
  cron?: string | undefined;
  /** IANA zone the pattern is read in; default the server's */
  timeZone?: string | undefined;
  /** replicas share one database: only the leader sends, or every team gets one email per replica */
  isLeader(): boolean;
  send(): Promise<void>;
  onError?: ((err: unknown) => void) | undefined;
}

// croner takes any zone name and fails only when the job runs; Intl says at once.
function checkTimeZone(zone: string | undefined): void {
  if (zone === undefined) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    throw new Error(`"${zone}" is not an IANA time zone such as Europe/Berlin or UTC`);
  }
}

/** Runs `send` on the cron while this process leads; returns the function that stops it. */
export function scheduleDigests(opts: DigestScheduleOptions): () => void {
  const pattern = opts.cron ?? DEFAULT_DIGEST_CRON;
  const onError = opts.onError ?? ((err: unknown) => console.error('daily digest failed:', err));
  let job: Cron;
  try {
    checkTimeZone(opts.timeZone);
    job = new Cron(
      pattern,
      // protect: a slow send (a dead SMTP server's timeouts) never overlaps the next run. unref: the timer alone keeps no process alive.
      { timezone: opts.timeZone, protect: true, unref: true, catch: (err) => onError(err) },
      async () => {
        if (!opts.isLeader()) return;
        await opts.send();
      },
    );
  } catch (err) {
    throw new Error(`digest schedule "${pattern}"${opts.timeZone ? ` in ${opts.timeZone}` : ''}: ${(err as Error).message}`);
  }
  return () => job.stop();
}

/** What was done with one team's digest; holds addresses, never the SMTP URL (it may carry a password). */
export interface DigestDelivery {
  team: string;
  date: string;
  subject: string;
  to: string[];
  sent: boolean;
  /** why it was not sent; null when it was */
  problem: null | 'no_recipients' | 'email_not_configured' | 'delivery_failed';
  detail: string;
}

/** One email to all of the team's recipients, plain text and HTML, through PRODENG_SMTP_URL. */
export async function mailDigest(d: Digest, env: NodeJS.ProcessEnv = process.env): Promise<DigestDelivery> {
  const subject = digestSubject(d);
  const result = (problem: DigestDelivery['problem'], detail: string): DigestDelivery => ({ team: d.team, date: d.date, subject, to: d.recipients, sent: problem === null, problem, detail });
  if (d.recipients.length === 0) return result('no_recipients', `team ${d.team} has no member with an email address`);
  const url = env.PRODENG_SMTP_URL;
  if (!url) return result('email_not_configured', 'email is not configured: set PRODENG_SMTP_URL (e.g. smtp://mail.internal:25)');
  const transport = nodemailer.createTransport(url);
  try {
    const info = await transport.sendMail({ from: env.PRODENG_SMTP_FROM ?? 'prodeng@localhost', to: d.recipients, subject, text: renderDigestText(d), html: renderDigestHtml(d) });
    return result(null, `emailed ${d.recipients.join(', ')} (${String(info.response ?? 'accepted').slice(0, 80)})`);
  } catch (err) {
    return result('delivery_failed', `email to ${d.recipients.join(', ')} failed: ${(err as Error).message}`);
  } finally {
    transport.close();
  }
}

/** Every team's digest over the last 24 hours, each mailed to its members. */
export async function sendTeamDigests(db: DbOrTx, teams: DigestTeams, now: number, env: NodeJS.ProcessEnv = process.env): Promise<DigestDelivery[]> {
  const deliveries: DigestDelivery[] = [];
  // One team at a time: a digest a day per team is no reason to open many SMTP connections at once.
  for (const team of teamNames(teams)) deliveries.push(await mailDigest(await teamDigest(db, teams, team, lastDay(now), prometheusFromEnv(env)), env));
  return deliveries;
}

/** The team members' addresses, as paging would reach them by email: an email contact's address, else the user's email. */
export function teamEmailsFrom(dir: PagingDirectory): (team: string) => string[] {
  return (team) => {
    const addresses = (dir.teams.get(team)?.members ?? []).map((m) => {
      const user = dir.users.get(m.user);
      const contact = user?.contacts?.find((c): c is { type: 'email'; address?: string } => c.type === 'email');
      return contact?.address ?? user?.email;
    });
    return [...new Set(addresses.filter((a): a is string => !!a))].sort();
  };
}

export type DigestSettings = { ok: true; cron: string | null; timeZone: string | undefined } | { ok: false; message: string };

/** PRODENG_DIGEST_CRON (default 08:00 daily; "off" sends none) and PRODENG_DIGEST_TIME_ZONE, checked at startup. */
export function digestSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): DigestSettings {
  const raw = env.PRODENG_DIGEST_CRON?.trim() || DEFAULT_DIGEST_CRON;
  const timeZone = env.PRODENG_DIGEST_TIME_ZONE?.trim() || undefined;
  if (raw === 'off') return { ok: true, cron: null, timeZone };
  try {
    checkTimeZone(timeZone);
    new Cron(raw, { paused: true, timezone: timeZone }).stop();
  } catch (err) {
    return { ok: false, message: `PRODENG_DIGEST_CRON "${raw}"${timeZone ? ` / PRODENG_DIGEST_TIME_ZONE "${timeZone}"` : ''}: ${(err as Error).message} (e.g. "0 8 * * *", or "off")` };
  }
  return { ok: true, cron: raw, timeZone };
}

/** The server's daily digests: on the cron, on the leader only, each delivery logged. Returns the stop function. */
export function startDailyDigests(opts: { db: DbOrTx; clock: Clock; logger: Logger; teams: DigestTeams; isLeader(): boolean; cron: string | null; timeZone?: string | undefined }): () => void {
  if (opts.cron === null) return () => undefined;
  return scheduleDigests({
    cron: opts.cron,
    timeZone: opts.timeZone,
    isLeader: opts.isLeader,
    async send() {
      for (const d of await sendTeamDigests(opts.db, opts.teams, opts.clock.now())) {
        if (d.sent) opts.logger.info({ team: d.team, to: d.to, date: d.date }, 'daily digest sent');
        else opts.logger.warn({ team: d.team, to: d.to, date: d.date, detail: d.detail }, 'daily digest not sent');
      }
    },
    onError: (err) => opts.logger.error({ err }, 'daily digest failed'),
  });
}
