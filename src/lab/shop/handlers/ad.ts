import type { ServiceRoutes } from './serviceContext.js';

interface Ad {
  category: string;
  text: string;
  redirectUrl: string;
}

const ads: readonly Ad[] = [
  { category: 'accessories', text: 'Sunglasses and watches: 20% off this week', redirectUrl: '/?category=accessories' },
  { category: 'kitchen', text: 'New mugs are in. Coffee not included.', redirectUrl: '/?category=kitchen' },
  { category: 'travel', text: 'Rain or shine: umbrellas and backpacks', redirectUrl: '/?category=travel' },
  { category: 'footwear', text: 'Loafers that last', redirectUrl: '/?category=footwear' },
];

export const adRoutes: ServiceRoutes = () => [
  {
    method: 'GET',
    path: '/ads',
    handle: async (req) => {
      const category = req.query.get('category');
      const matching = ads.filter((a) => a.category === category);
      const pool = matching.length > 0 ? matching : ads;
      return { json: { ads: [pool[Math.floor(Math.random() * pool.length)]] } };
    },
  },
];
