import { seededRandom } from '../../test/support/seeded-random.js';

const PRODUCTS = [
  'Stoneware mug, 350 ml',
  'Oak side table',
  'Linen cushion cover',
  'Steel desk lamp',
  'Wool rug, 160 × 230 cm',
  'Glass carafe, 1 l',
  'Cast-iron pan, 28 cm',
  'Bamboo cutting board',
];
const TAGS = ['home', 'kitchen', 'sale', 'new', 'gift', 'eco'];

const uuidOf = (random: () => number) =>
  Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16))
    .join('')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/**
 * An order as a shop would store it, at least `jsonBytes` of JSON: ids, prices and quantities vary from line to line
 * (seeded, so every run builds the same one), the product names and tags repeat as a catalogue's do. Without
 * `lineIds`, its lines carry no id of their own (a random UUID each, which no compression shrinks much).
 */
export function orderPlaced(
  jsonBytes: number,
  { lineIds = true, seed = 20261201 }: { lineIds?: boolean; seed?: number } = {},
): object {
  const random = seededRandom(seed);
  const lines: object[] = [];
  const order = {
    orderId: uuidOf(random),
    customerId: uuidOf(random),
    currency: 'EUR',
    placedFrom: 'web',
    shippingAddress: {
      street: '12 rue de la Paix',
      city: 'Paris',
      postcode: '75002',
      country: 'FR',
    },
    lines,
  };
  while (JSON.stringify(order).length < jsonBytes) {
    const product = Math.floor(random() * PRODUCTS.length);
    lines.push({
      ...(lineIds && { lineId: uuidOf(random) }),
      sku: `SKU-${100000 + Math.floor(random() * 900000)}`,
      name: PRODUCTS[product],
      quantity: 1 + Math.floor(random() * 4),
      unitPriceCents: 499 + Math.floor(random() * 20000),
      tags: [TAGS[product % TAGS.length], TAGS[Math.floor(random() * TAGS.length)]],
    });
  }
  return order;
}
