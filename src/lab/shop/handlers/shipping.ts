import { randomUUID } from 'node:crypto';
import { HttpError, stringField, type JsonObject } from '../http.js';
import type { CartItem } from './cart.js';
import type { ServiceRoutes } from './serviceContext.js';

function itemsField(body: JsonObject): CartItem[] {
  const items = body.items;
  if (!Array.isArray(items) || items.length === 0) throw new HttpError(400, 'items: must be a non-empty list of {productId, quantity}');
  return items.map((item: unknown, i) => {
    const { productId, quantity } = (item ?? {}) as Partial<CartItem>;
    if (typeof productId !== 'string' || typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 1) {
      throw new HttpError(400, `items[${i}]: must be {productId: string, quantity: positive integer}`);
    }
    return { productId, quantity };
  });
}

/** A flat fee plus a little per extra piece, in US dollars. */
export function shippingCostUsd(items: CartItem[]): number {
  const pieces = items.reduce((n, i) => n + i.quantity, 0);
  return Math.round((4.99 + 0.5 * (pieces - 1)) * 100) / 100;
}

export const shippingRoutes: ServiceRoutes = () => [
  {
    method: 'POST',
    path: '/quote',
    handle: async (req) => ({ json: { costUsd: shippingCostUsd(itemsField(await req.body())) } }),
  },
  {
    method: 'POST',
    path: '/ship',
    handle: async (req) => {
      const body = await req.body();
      const items = itemsField(body);
      const address = stringField(body, 'address', /^[\p{L}\p{N} ,.'#/-]{1,200}$/u);
      return { status: 201, json: { trackingId: `TRK-${randomUUID().slice(0, 8).toUpperCase()}`, address, pieces: items.reduce((n, i) => n + i.quantity, 0) } };
    },
  },
];
