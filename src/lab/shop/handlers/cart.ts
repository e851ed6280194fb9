import { HttpError, numberField, stringField, userIdPattern } from '../http.js';
import type { ServiceRoutes } from './serviceContext.js';

export interface CartItem {
  productId: string;
  quantity: number;
}

type Carts = Record<string, CartItem[]>;

const cartsFile = 'carts.json';

/**
 * Carts live in memory and in carts.json in the data dir. A change is written first and
 * kept only if the write worked, so a full disk fails the request and loses nothing.
 */
export const cartRoutes: ServiceRoutes = ({ dataDir }) => {
  let carts: Carts = dataDir.readJson<Carts>(cartsFile) ?? {};
  // One write at a time: they share the temp file and each writes the whole state.
  let writes: Promise<unknown> = Promise.resolve();
  const change = (user: string, update: (items: CartItem[]) => CartItem[]): Promise<CartItem[]> => {
    const run = writes.then(async () => {
      const next = { ...carts, [user]: update(carts[user] ?? []) };
      if (next[user]!.length === 0) delete next[user];
      await dataDir.writeFile(cartsFile, JSON.stringify(next));
      carts = next;
      return carts[user] ?? [];
    });
    writes = run.catch(() => undefined);
    return run;
  };
  const userOf = (params: Record<string, string>): string => {
    const user = params.user!;
    if (!userIdPattern.test(user)) throw new HttpError(400, `user: must match ${userIdPattern}`);
    return user;
  };

  return [
    {
      method: 'GET',
      path: '/cart/:user',
      handle: async (req) => {
        const user = userOf(req.params);
        return { json: { user, items: carts[user] ?? [] } };
      },
    },
    {
      method: 'POST',
      path: '/cart/:user/items',
      handle: async (req) => {
        const user = userOf(req.params);
        const body = await req.body();
        const productId = stringField(body, 'productId', /^[A-Z0-9]{1,32}$/);
        const quantity = numberField(body, 'quantity', { min: 1, max: 99, integer: true });
        const items = await change(user, (items) => {
          const existing = items.find((i) => i.productId === productId);
          return existing
            ? items.map((i) => (i === existing ? { productId, quantity: Math.min(99, i.quantity + quantity) } : i))
            : [...items, { productId, quantity }];
        });
        return { status: 201, json: { user, items } };
      },
    },
    {
      method: 'DELETE',
      path: '/cart/:user',
      handle: async (req) => {
        const user = userOf(req.params);
        await change(user, () => []);
        return { json: { user, items: [] } };
      },
    },
  ];
};
