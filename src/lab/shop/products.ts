/** The catalog's fixed products. Prices are in US dollars; the frontend converts them. */

export interface Product {
  id: string;
  name: string;
  description: string;
  priceUsd: number;
  categories: string[];
}

export const products: readonly Product[] = [
  { id: 'OLJCESPC7Z', name: 'Sunglasses', description: 'Add a modern touch to your outfits.', priceUsd: 19.99, categories: ['accessories'] },
  { id: '66VCHSJNUP', name: 'Tank Top', description: 'Perfectly cropped cotton tank.', priceUsd: 18.99, categories: ['clothing', 'tops'] },
  { id: '1YMWWN1N4O', name: 'Watch', description: 'A simple, sturdy wristwatch.', priceUsd: 109.99, categories: ['accessories'] },
  { id: 'L9ECAV7KIM', name: 'Loafers', description: 'Classic leather loafers.', priceUsd: 89.99, categories: ['footwear'] },
  { id: '2ZYFJ3GM2N', name: 'Hairdryer', description: 'Quiet and quick.', priceUsd: 24.99, categories: ['hair', 'beauty'] },
  { id: '0PUK6V6EV0', name: 'Candle Holder', description: 'Brass holder for a warm glow.', priceUsd: 18.49, categories: ['decor', 'home'] },
  { id: 'LS4PSXUNUM', name: 'Salt & Pepper Shakers', description: 'A matching ceramic pair.', priceUsd: 18.49, categories: ['kitchen'] },
  { id: '9SIQT8TOJO', name: 'Bamboo Glass Jar', description: 'Airtight jar with a bamboo lid.', priceUsd: 5.49, categories: ['kitchen'] },
  { id: '6E92ZMYYFZ', name: 'Mug', description: 'Holds a proper amount of coffee.', priceUsd: 8.99, categories: ['kitchen'] },
  { id: 'K3F8PL2XQA', name: 'Notebook', description: 'Dotted pages, lies flat.', priceUsd: 12.5, categories: ['stationery'] },
  { id: 'M7QW4RT9ZB', name: 'Backpack', description: 'Fits a laptop and lunch.', priceUsd: 64.0, categories: ['accessories', 'travel'] },
  { id: 'T2HX5NC8VD', name: 'Umbrella', description: 'Opens with one hand.', priceUsd: 22.75, categories: ['accessories', 'travel'] },
];

export function findProduct(id: string): Product | undefined {
  return products.find((p) => p.id === id);
}
