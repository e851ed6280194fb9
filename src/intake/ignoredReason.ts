import type { DbOrTx } from '../store/store.js';
import { alertIsOpen } from '../store/schema.js';
import type { GenericEvent } from './genericEvents.js';

/**
 * Why an acknowledge or resolve found nothing to change, in words a sender
 * can act on. The usual cause is a dedupKey sent without the service it
 * fired under: a key is unique within its service only.
 */
export async function whyGenericEventIgnored(db: DbOrTx, e: GenericEvent, service: string | null): Promise<string> {
  const verb = e.status === 'resolved' ? 'resolve' : 'acknowledge';
  if (e.dedupKey) {
    const others = await db
      .selectFrom('alerts')
      .select(['id', 'service'])
      .where('dedup_key', '=', e.dedupKey)
      .where('source', '=', 'generic')
      .where(alertIsOpen)
      .limit(5)
      .execute();
    const elsewhere = others.filter((a) => a.service !== service);
    if (elsewhere.length > 0) {
      const where = elsewhere.map((a) => `alert ${a.id} under service ${a.service === null ? '(none)' : `"${a.service}"`}`).join(', ');
      return `nothing to ${verb}: dedupKey "${e.dedupKey}" is open only as ${where}, and this event's service is ${service === null ? '(none)' : `"${service}"`}; a dedupKey is unique within its service, so send the same service it fired with`;
    }
    return `nothing to ${verb}: no open alert has dedupKey "${e.dedupKey}" in service ${service === null ? '(none)' : `"${service}"`} (it may be resolved already, or never fired)`;
  }
  return `nothing to ${verb}: no open alert has this label set (an alert's identity is its dedupKey within its service, else its labels, else its summary)`;
}
