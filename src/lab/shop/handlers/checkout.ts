import { randomUUID } from 'node:crypto';
import { passBadInput } from '../dependencyClient.js';
import { HttpError, stringField, userIdPattern } from '../http.js';
import type { Product } from '../products.js';
import type { CartItem } from './cart.js';
import type { ServiceRoutes } from './serviceContext.js';

export interface Order {
  orderId: string;
  user: string;
  items: (CartItem & { priceUsd: number })[];
  shippingUsd: number;
  total: { currency: string; amount: number };
  transactionId: string;
  trackingId: string;
  placedAt: string;
}

const ordersFile = 'orders.jsonl';

/**
 * Places an order: reads the cart, prices it (catalog), quotes shipping, converts the total
 * (currency), charges (payment), ships, records the order in orders.jsonl and empties the
 * cart. A failure before the charge changes nothing.
 */
export const checkoutRoutes: ServiceRoutes = ({ dependency, dataDir, log }) => {
  const cart = dependency('cart');
  const catalog = dependency('catalog');
  const currency = dependency('currency');
  const payment = dependency('payment');
  const shipping = dependency('shipping');
  return [
    {
      method: 'POST',
      path: '/checkout',
      handle: async (req) => {
        const body = await req.body();
        const user = stringField(body, 'user', userIdPattern);
        const currencyCode = body.currency === undefined ? 'USD' : stringField(body, 'currency', /^[A-Z]{3}$/);
        const address = body.address === undefined ? '1 Demo Street, Springfield' : stringField(body, 'address', /^[\p{L}\p{N} ,.'#/-]{1,200}$/u);
        const cardNumber = body.cardNumber === undefined ? undefined : stringField(body, 'cardNumber', /^\d{12,19}$/);

        const { items } = await cart.get<{ items: CartItem[] }>(`/cart/${encodeURIComponent(user)}`, { affinity: user });
        if (items.length === 0) throw new HttpError(400, `cart: empty for user ${user}`);
        const priced = await Promise.all(
          items.map(async (item) => {
            const product = await catalog.get<Product>(`/products/${encodeURIComponent(item.productId)}`);
            return { ...item, priceUsd: product.priceUsd };
          }),
        );
        const { costUsd } = await shipping.post<{ costUsd: number }>('/quote', { items });
        const totalUsd = priced.reduce((sum, i) => sum + i.priceUsd * i.quantity, costUsd);
        const { converted } = await passBadInput(currency.get<{ converted: number }>(`/convert?from=USD&to=${encodeURIComponent(currencyCode)}&amount=${totalUsd.toFixed(2)}`));
        const { transactionId } = await passBadInput(payment.post<{ transactionId: string }>('/charge', { amount: converted, currency: currencyCode, cardNumber }));
        const { trackingId } = await shipping.post<{ trackingId: string }>('/ship', { items, address });

        const order: Order = {
          orderId: randomUUID(),
          user,
          items: priced,
          shippingUsd: costUsd,
          total: { currency: currencyCode, amount: converted },
          transactionId,
          trackingId,
          placedAt: new Date().toISOString(),
        };
        await dataDir.appendFile(ordersFile, `${JSON.stringify(order)}\n`);
        await cart.delete(`/cart/${encodeURIComponent(user)}`, { affinity: user });
        log(`order ${order.orderId} for ${user}: ${converted} ${currencyCode}`);
        return { status: 201, json: order };
      },
    },
  ];
};
