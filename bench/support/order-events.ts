import { createHash } from 'node:crypto';

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

/** The same bytes for the same seed and name on every run, and no pattern a compressor could find in them. */
const bytesOf = (seed: number, name: string) =>
  createHash('sha256').update(`${seed}:${name}`).digest();

const uuidOf = (seed: number, name: string) =>
  bytesOf(seed, name)
    .toString('hex', 0, 16)
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');

/**
 * An order as a shop would store it, at least `jsonBytes` of JSON: ids, prices and quantities vary from line to line
 * (derived from `seed`, so every run builds the same one), the product names and tags repeat as a catalogue's do. Without
 * `lineIds`, its lines carry no id of their own (a random UUID each, which no compression shrinks much).
 */
export function orderPlaced(
  jsonBytes: number,
  { lineIds = true, seed = 20261201 }: { lineIds?: boolean; seed?: number } = {},
): object {
  const lines: object[] = [];
  const order = {
    orderId: uuidOf(seed, 'order'),
    customerId: uuidOf(seed, 'customer'),
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
    const line = `line ${lines.length}`;
    const random = bytesOf(seed, line);
    const product = random[0]! % PRODUCTS.length;
    lines.push({
      ...(lineIds && { lineId: uuidOf(seed, `${line} id`) }),
      sku: `SKU-${100000 + (random.readUInt32BE(1) % 900000)}`,
      name: PRODUCTS[product],
      quantity: 1 + (random[5]! % 4),
      unitPriceCents: 499 + (random.readUInt16BE(6) % 20000),
      tags: [TAGS[product % TAGS.length], TAGS[random[8]! % TAGS.length]],
    });
  }
  return order;
}
