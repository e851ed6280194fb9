import { HttpError } from '../http.js';
import { findProduct, products } from '../products.js';
import type { ServiceRoutes } from './serviceContext.js';

export const catalogRoutes: ServiceRoutes = () => [
  { method: 'GET', path: '/products', handle: async () => ({ json: { products } }) },
  {
    method: 'GET',
    path: '/products/:id',
    handle: async (req) => {
      const product = findProduct(req.params.id!);
      if (!product) throw new HttpError(404, `product ${req.params.id}: no such product`);
      return { json: product };
    },
  },
];
