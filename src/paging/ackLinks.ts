import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DbOrTx } from '../store/store.js';

/**
 * The secret that signs acknowledgement links. It lives in the store, made
 * once, so links survive restarts and work on every replica.
 */
export async function linkSecret(db: DbOrTx): Promise<string> {
  const existing = await db.selectFrom('settings').select('value').where('name', '=', 'link-secret').executeTakeFirst();
  if (existing) return existing.value;
  // Two replicas may race to make it: the first insert wins, both read it back.
  await db.insertInto('settings').values({ name: 'link-secret', value: randomBytes(32).toString('base64url') }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return (await db.selectFrom('settings').select('value').where('name', '=', 'link-secret').executeTakeFirstOrThrow()).value;
}

export function ackSignature(secret: string, incidentId: number, user: string): string {
  return createHmac('sha256', secret).update(`ack:${incidentId}:${user}`).digest('base64url');
}

export function ackSignatureValid(secret: string, incidentId: number, user: string, sig: string): boolean {
  const expected = Buffer.from(ackSignature(secret, incidentId, user));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function ackLink(baseUrl: string, secret: string, incidentId: number, user: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v1/incidents/${incidentId}/ack-link?user=${encodeURIComponent(user)}&sig=${ackSignature(secret, incidentId, user)}`;
}
