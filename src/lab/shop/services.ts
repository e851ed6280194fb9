/**
 * The demo shop's services and who calls whom, for prodeng to write the lab's config
 * (Services, Hosts, dependencies) and for shopService to check its --dep flags.
 */

export const shopServiceNames = ['frontend', 'catalog', 'cart', 'checkout', 'payment', 'shipping', 'currency', 'recommendation', 'ad'] as const;

export type ShopServiceName = (typeof shopServiceNames)[number];

export interface ShopDependency {
  name: ShopServiceName;
  /** Required: the caller fails (5xx) without it. Optional: the caller degrades and still answers. */
  required: boolean;
  /** What breaks, or what degrades, when the dependency is down. */
  effect: string;
}

export interface ShopServiceSpec {
  name: ShopServiceName;
  description: string;
  dependencies: readonly ShopDependency[];
  /** True when the service keeps state in its --data dir, so a full disk breaks its writes. */
  writesData: boolean;
}

export const shopServices: Readonly<Record<ShopServiceName, ShopServiceSpec>> = {
  frontend: {
    name: 'frontend',
    description: 'HTML shop page (GET /), add to cart (POST /cart), checkout (POST /checkout)',
    dependencies: [
      { name: 'catalog', required: true, effect: 'GET / answers 502: no products to show' },
      { name: 'currency', required: true, effect: 'GET / answers 502: prices cannot be shown' },
      { name: 'cart', required: true, effect: 'GET / and POST /cart answer 502' },
      { name: 'checkout', required: true, effect: 'POST /checkout answers 502' },
      { name: 'recommendation', required: false, effect: 'GET / renders without the recommendations box' },
      { name: 'ad', required: false, effect: 'GET / renders without the ad box' },
    ],
    writesData: false,
  },
  catalog: { name: 'catalog', description: 'product list (GET /products, GET /products/:id)', dependencies: [], writesData: false },
  cart: { name: 'cart', description: 'carts per user, kept in a JSON file (GET /cart/:user, POST /cart/:user/items, DELETE /cart/:user)', dependencies: [], writesData: true },
  checkout: {
    name: 'checkout',
    description: 'places an order (POST /checkout): cart, prices, shipping, payment, then empties the cart',
    dependencies: [
      { name: 'cart', required: true, effect: 'orders fail: the cart cannot be read or emptied' },
      { name: 'catalog', required: true, effect: 'orders fail: items cannot be priced' },
      { name: 'currency', required: true, effect: 'orders fail: the total cannot be converted' },
      { name: 'payment', required: true, effect: 'orders fail: nothing is charged' },
      { name: 'shipping', required: true, effect: 'orders fail: no quote or shipment' },
    ],
    writesData: true,
  },
  payment: { name: 'payment', description: 'charges a card (POST /charge)', dependencies: [], writesData: false },
  shipping: { name: 'shipping', description: 'quotes and ships (POST /quote, POST /ship)', dependencies: [], writesData: false },
  currency: { name: 'currency', description: 'converts amounts at fixed rates (GET /convert)', dependencies: [], writesData: false },
  recommendation: {
    name: 'recommendation',
    description: 'suggests products (GET /recommendations)',
    dependencies: [{ name: 'catalog', required: true, effect: 'GET /recommendations answers 502' }],
    writesData: false,
  },
  ad: { name: 'ad', description: 'serves ads (GET /ads)', dependencies: [], writesData: false },
};

export function isShopServiceName(name: string): name is ShopServiceName {
  return (shopServiceNames as readonly string[]).includes(name);
}

