import nodemailer from 'nodemailer';

export interface PageMessage {
  /** page: on call for it; shadow: a copy; ticket: a low-urgency incident for the team; notice: news for the team (an SLO's budget), no incident */
  purpose: 'page' | 'shadow' | 'ticket' | 'notice';
  /** null for a notice */
  incidentId: number | null;
  title: string;
  service: string | null;
  /** the lines a human needs: what happened, what automation did */
  story: string[];
  /** absent for a shadow's copy: a shadow cannot acknowledge for the primary */
  ackUrl: string | null;
  shadowing: string | null;
  to: string;
}

export interface DeliveryResult {
  ok: boolean;
  /** for the timeline; never contains a secret (webhook URLs are secrets) */
  detail: string;
}

/**
 * Email over SMTP: PRODENG_SMTP_URL (smtp://user:pass@host:port, from the
 * environment only) and PRODENG_SMTP_FROM.
 */
export async function sendEmail(address: string, m: PageMessage): Promise<DeliveryResult> {
  const url = process.env.PRODENG_SMTP_URL;
  if (!url) return { ok: false, detail: 'email is not configured: set PRODENG_SMTP_URL (e.g. smtp://mail.internal:25)' };
  const transport = nodemailer.createTransport(url);
  const lines = [
    opening(m),
    '',
    ...m.story,
    '',
    m.ackUrl ? `Acknowledge: ${m.ackUrl}` : '',
  ];
  try {
    const info = await transport.sendMail({
      from: process.env.PRODENG_SMTP_FROM ?? 'prodeng@localhost',
      to: address,
      subject: `${m.purpose === 'shadow' ? '[shadow] ' : m.purpose === 'ticket' ? '[ticket] ' : ''}[prodeng] ${heading(m)}`,
      text: lines.join('\n'),
    });
    return { ok: true, detail: `emailed ${address} (${String(info.response ?? 'accepted').slice(0, 80)})` };
  } catch (err) {
    return { ok: false, detail: `email to ${address} failed: ${(err as Error).message}` };
  } finally {
    transport.close();
  }
}

function opening(m: PageMessage): string {
  if (m.purpose === 'shadow') return `You are shadowing ${m.shadowing}: this is a copy. Add notes with: prodeng incidents note ${m.incidentId} --text "…"`;
  if (m.purpose === 'ticket') return `A low-urgency incident (a ticket) for your team: nobody is paged. Take it on in working hours: prodeng incidents show ${m.incidentId}`;
  if (m.purpose === 'notice') return 'For your team\'s attention; nobody is paged.';
  return 'You are on call for this incident.';
}

function heading(m: PageMessage): string {
  return m.incidentId === null ? m.title : `Incident #${m.incidentId}: ${m.title}`;
}

const webhookEvents: Record<PageMessage['purpose'], string> = { page: 'incident.page', shadow: 'incident.shadow-copy', ticket: 'incident.ticket', notice: 'team.notice' };

async function post(url: string, body: unknown, what: string): Promise<DeliveryResult> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    await res.arrayBuffer();
    return res.ok ? { ok: true, detail: `${what}: ${res.status}` } : { ok: false, detail: `${what}: answered ${res.status}` };
  } catch (err) {
    return { ok: false, detail: `${what}: ${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message}` };
  }
}

/** A generic webhook: the page as JSON. */
export function sendWebhook(url: string, m: PageMessage): Promise<DeliveryResult> {
  return post(url, { event: webhookEvents[m.purpose], incident: m.incidentId, title: m.title, service: m.service, story: m.story, ackUrl: m.ackUrl, shadowing: m.shadowing, to: m.to }, `webhook for ${m.to}`);
}

/** A Slack-style incoming webhook: one text message. */
export function sendSlack(url: string, m: PageMessage): Promise<DeliveryResult> {
  const prefix = m.purpose === 'shadow' ? `(shadow copy for ${m.to}) ` : m.purpose === 'ticket' ? '(ticket, nobody paged) ' : '';
  const text = [`${prefix}${m.incidentId === null ? `*${m.title}*` : `*Incident #${m.incidentId}*: ${m.title}`}`, ...m.story.slice(-5), m.ackUrl ? `<${m.ackUrl}|Acknowledge>` : ''].filter(Boolean).join('\n');
  return post(url, { text }, `slack message for ${m.to}`);
}
