import type { Product } from '../products.js';
import type { ServiceRoutes } from './serviceContext.js';

export const recommendationRoutes: ServiceRoutes = ({ dependency }) => {
  const catalog = dependency('catalog');
  return [
    {
      method: 'GET',
      path: '/recommendations',
      handle: async (req) => {
        const exclude = new Set((req.query.get('exclude') ?? '').split(',').filter(Boolean));
        const count = Math.min(Math.max(Number(req.query.get('count') ?? 4) || 4, 1), 12);
        const { products } = await catalog.get<{ products: Product[] }>('/products', { timeoutMs: 1000 });
        const candidates = products.filter((p) => !exclude.has(p.id));
        // A partial Fisher-Yates shuffle: `count` distinct picks.
        for (let i = 0; i < Math.min(count, candidates.length); i++) {
          const j = i + Math.floor(Math.random() * (candidates.length - i));
          [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
        }
        const picks = candidates.slice(0, count);
        return { json: { productIds: picks.map((p) => p.id), products: picks.map(({ id, name }) => ({ id, name })) } };
      },
    },
  ];
};
