/** The frontend's HTML. Every value goes through `escape`: product names and ads are data. */

export interface PageProduct {
  id: string;
  name: string;
  description: string;
  price: number;
}

export interface ShopPage {
  hostName: string;
  user: string;
  currency: string;
  products: PageProduct[];
  cartCount: number;
  /** Absent when the recommendation service failed: the box is left out. */
  recommendations?: { id: string; name: string }[];
  /** Absent when the ad service failed: the box is left out. */
  ad?: { text: string; redirectUrl: string };
}

export function escape(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatPrice(amount: number, currency: string): string {
  return `${escape(amount.toFixed(currency === 'JPY' ? 0 : 2))} ${escape(currency)}`;
}

export function renderShopPage(page: ShopPage): string {
  const hidden = `<input type="hidden" name="user" value="${escape(page.user)}"><input type="hidden" name="currency" value="${escape(page.currency)}">`;
  const products = page.products
    .map(
      (p) => `    <li class="product" data-id="${escape(p.id)}">
      <h3>${escape(p.name)}</h3><p>${escape(p.description)}</p><p class="price">${formatPrice(p.price, page.currency)}</p>
      <form method="post" action="/cart">${hidden}<input type="hidden" name="productId" value="${escape(p.id)}"><input type="number" name="quantity" value="1" min="1" max="99"><button>Add to cart</button></form>
    </li>`,
    )
    .join('\n');
  const recommendations = page.recommendations
    ? `  <section id="recommendations"><h2>Recommended for you</h2><ul>${page.recommendations.map((r) => `<li data-id="${escape(r.id)}">${escape(r.name)}</li>`).join('')}</ul></section>\n`
    : '';
  const ad = page.ad ? `  <section id="ad"><a href="${escape(page.ad.redirectUrl)}">${escape(page.ad.text)}</a></section>\n` : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Demo shop</title></head>
<body>
  <header><h1>Demo shop</h1><p>Cart: <span id="cart-count">${escape(page.cartCount)}</span> items</p><p class="served-by">served by ${escape(page.hostName)}</p></header>
${ad}  <main><ul id="products">
${products}
  </ul></main>
${recommendations}  <form id="checkout" method="post" action="/checkout">${hidden}<button>Place order</button></form>
</body>
</html>
`;
}

export function renderOrderPage(order: { orderId: string; total: { currency: string; amount: number }; trackingId: string }): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Order placed</title></head>
<body><h1>Order placed</h1><p id="order-id">${escape(order.orderId)}</p><p>Total ${formatPrice(order.total.amount, order.total.currency)}, tracking ${escape(order.trackingId)}</p><a href="/">Back to the shop</a></body>
</html>
`;
}
