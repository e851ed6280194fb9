/** The page an acknowledgement link opens. Opening it changes nothing: a link checker or chat unfurler may fetch it. */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface AckLinkPageInput {
  incidentId: number;
  title: string;
  status: string;
  user: string;
  sig: string;
}

export function ackLinkPage(p: AckLinkPageInput): string {
  const open = p.status === 'open';
  const body = open
    ? `<p>Acknowledging tells everyone you have it and stops the escalation.</p>
<form method="post">
<input type="hidden" name="user" value="${escapeHtml(p.user)}">
<input type="hidden" name="sig" value="${escapeHtml(p.sig)}">
<button type="submit">Acknowledge as ${escapeHtml(p.user)}</button>
</form>`
    : `<p>This incident is ${escapeHtml(p.status)}; there is nothing to acknowledge.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>Incident ${p.incidentId}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}button{font:inherit;padding:.6rem 1.2rem}</style>
</head><body>
<h1>Incident ${p.incidentId}</h1>
<p><strong>${escapeHtml(p.title)}</strong></p>
${body}
</body></html>
`;
}

export function ackDonePage(incidentId: number, user: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Incident ${incidentId} acknowledged</title></head>
<body><h1>Incident ${incidentId} acknowledged</h1><p>Acknowledged by ${escapeHtml(user)}. Escalation stopped.</p></body></html>
`;
}
