import { passBadInput } from '../dependencyClient.js';
import { renderOrderPage, renderShopPage, type PageProduct } from '../frontendPage.js';
import { HttpError, numberField, stringField, userIdPattern, type JsonObject, type ShopRequest } from '../http.js';
import type { Product } from '../products.js';
import type { CartItem } from './cart.js';
import type { Order } from './checkout.js';
import type { ServiceRoutes } from './serviceContext.js';

/** Optional boxes get little time: a slow recommendation must not make the whole page slow. */
const optionalTimeoutMs = 300;
const requiredTimeoutMs = 1000;
const checkoutTimeoutMs = 5000;

function wantsJson(req: ShopRequest): boolean {
  return (req.headers['content-type'] ?? '').includes('json') || (req.headers.accept ?? '').includes('application/json');
}

function userOf(source: URLSearchParams | JsonObject): string {
  const value = source instanceof URLSearchParams ? (source.get('user') ?? undefined) : source.user;
  if (value === undefined) return 'guest';
  if (typeof value !== 'string' || !userIdPattern.test(value)) throw new HttpError(400, `user: must match ${userIdPattern}`);
  return value;
}

function currencyOf(source: URLSearchParams | JsonObject): string {
  const value = source instanceof URLSearchParams ? (source.get('currency') ?? undefined) : source.currency;
  if (value === undefined) return 'USD';
  if (typeof value !== 'string' || !/^[A-Z]{3}$/.test(value)) throw new HttpError(400, 'currency: must be a three-letter code such as USD');
  return value;
}

function shopLink(user: string, currency: string): string {
  return `/?${new URLSearchParams({ user, currency })}`;
}

export const frontendRoutes: ServiceRoutes = ({ dependency, hostName, log }) => {
  const catalog = dependency('catalog');
  const currency = dependency('currency');
  const cart = dependency('cart');
  const checkout = dependency('checkout');
  const recommendation = dependency('recommendation');
  const ad = dependency('ad');

  // Under load a dead optional dependency would log on every page: once per 10 s is enough.
  const lastLogged = new Map<string, number>();
  const withoutBox = <T>(name: string, call: Promise<T>): Promise<T | undefined> =>
    call.catch((err: Error) => {
      if ((lastLogged.get(name) ?? 0) < Date.now() - 10_000) {
        lastLogged.set(name, Date.now());
        log(`page rendered without the ${name} box: ${err.message}`);
      }
      return undefined;
    });

  return [
    {
      method: 'GET',
      path: '/',
      handle: async (req) => {
        const user = userOf(req.query);
        const currencyCode = currencyOf(req.query);
        const [listed, basket, recommended, ads] = await Promise.all([
          catalog.get<{ products: Product[] }>('/products', { timeoutMs: requiredTimeoutMs }),
          cart.get<{ items: CartItem[] }>(`/cart/${encodeURIComponent(user)}`, { timeoutMs: requiredTimeoutMs, affinity: user }),
          withoutBox('recommendations', recommendation.get<{ products: { id: string; name: string }[] }>('/recommendations?count=4', { timeoutMs: optionalTimeoutMs })),
          withoutBox('ad', ad.get<{ ads: { text: string; redirectUrl: string }[] }>('/ads', { timeoutMs: optionalTimeoutMs })),
        ]);
        const priced: PageProduct[] = await passBadInput(
          Promise.all(
            listed.products.map(async (p) => {
              const { converted } = await currency.get<{ converted: number }>(`/convert?from=USD&to=${currencyCode}&amount=${p.priceUsd}`, { timeoutMs: requiredTimeoutMs });
              return { id: p.id, name: p.name, description: p.description, price: converted };
            }),
          ),
        );
        const html = renderShopPage({
          hostName,
          user,
          currency: currencyCode,
          products: priced,
          cartCount: basket.items.reduce((n, i) => n + i.quantity, 0),
          recommendations: recommended?.products,
          ad: ads?.ads[0],
        });
        return { html };
      },
    },
    {
      method: 'POST',
      path: '/cart',
      handle: async (req) => {
        const body = await req.body();
        const user = userOf(body);
        const productId = stringField(body, 'productId', /^[A-Z0-9]{1,32}$/);
        const quantity = body.quantity === undefined ? 1 : numberField(body, 'quantity', { min: 1, max: 99, integer: true });
        const result = await passBadInput(cart.post<{ items: CartItem[] }>(`/cart/${encodeURIComponent(user)}/items`, { productId, quantity }, { timeoutMs: requiredTimeoutMs, affinity: user }));
        if (wantsJson(req)) return { status: 201, json: result };
        return { status: 303, headers: { location: shopLink(user, currencyOf(body)) }, html: '' };
      },
    },
    {
      method: 'POST',
      path: '/checkout',
      handle: async (req) => {
        const body = await req.body();
        const order = await passBadInput(
          checkout.post<Order>(
            '/checkout',
            { user: userOf(body), currency: currencyOf(body), address: body.address, cardNumber: body.cardNumber },
            { timeoutMs: checkoutTimeoutMs },
          ),
        );
        return wantsJson(req) ? { status: 201, json: order } : { status: 201, html: renderOrderPage(order) };
      },
    },
  ];
};
