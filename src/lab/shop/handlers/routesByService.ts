import type { ShopServiceName } from '../services.js';
import { adRoutes } from './ad.js';
import { cartRoutes } from './cart.js';
import { catalogRoutes } from './catalog.js';
import { checkoutRoutes } from './checkout.js';
import { currencyRoutes } from './currency.js';
import { frontendRoutes } from './frontend.js';
import { paymentRoutes } from './payment.js';
import { recommendationRoutes } from './recommendation.js';
import type { ServiceRoutes } from './serviceContext.js';
import { shippingRoutes } from './shipping.js';

export const routesByService: Readonly<Record<ShopServiceName, ServiceRoutes>> = {
  frontend: frontendRoutes,
  catalog: catalogRoutes,
  cart: cartRoutes,
  checkout: checkoutRoutes,
  payment: paymentRoutes,
  shipping: shippingRoutes,
  currency: currencyRoutes,
  recommendation: recommendationRoutes,
  ad: adRoutes,
};
