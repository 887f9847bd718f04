// A small seed for the Elasticsearch tests: index "shop" with twelve known documents, so every
// expected hit, total and bucket can be stated exactly. Its mapping has what `mapping pull` must
// bring back: a text field with a keyword sub-field, an object, a nested field, an alias and a
// runtime field (script-less: it reads _source, so the embedded node needs no painless).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const SHOP_MAPPING = {
  mappings: {
    dynamic: 'strict',
    runtime: { colour: { type: 'keyword' } },
    properties: {
      title: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      status: { type: 'keyword' },
      price: { type: 'double' },
      qty: { type: 'integer' },
      sold_at: { type: 'date' },
      tags: { type: 'keyword' },
      colour: { type: 'keyword' },
      seller: { properties: { name: { type: 'keyword' }, rating: { type: 'float' } } },
      seller_name: { type: 'alias', path: 'seller.name' },
      items: { type: 'nested', properties: { sku: { type: 'keyword' }, n: { type: 'integer' } } },
    },
  },
};

const STATUSES = ['shipped', 'shipped', 'shipped', 'shipped', 'shipped', 'pending', 'pending', 'pending', 'pending', 'cancelled', 'cancelled', 'cancelled'];
const TITLES = ['Red Shoe', 'Red Shoe', 'Blue Shoe', 'Red Hat', 'Green Sock', 'Red Shoe', 'Blue Hat', 'Green Shoe', 'Red Sock', 'Blue Sock', 'Red Shoe', 'Green Hat'];

/** The twelve documents: ids "1".."12"; shipped 1–5, pending 6–9, cancelled 10–12; price = 10 × id. */
export const SHOP_DOCS = STATUSES.map((status, i) => ({
  _id: String(i + 1),
  title: TITLES[i],
  status,
  price: 10 * (i + 1),
  qty: (i % 4) + 1,
  sold_at: `2026-0${(i % 9) + 1}-15T12:00:00Z`,
  tags: i % 2 === 0 ? ['sale'] : ['new', 'gift'],
  colour: ['red', 'blue', 'green'][i % 3],
  seller: { name: i < 6 ? 'acme' : 'globex', rating: 3 + (i % 3) / 2 },
  items: [{ sku: `sku-${i % 3}`, n: i + 1 }],
}));

/** Writes the seed dir (DIR/shop/mapping.json + docs.ndjson) and returns DIR. */
export function writeShopSeed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'distillery-shop-seed-'));
  mkdirSync(join(dir, 'shop'));
  writeFileSync(join(dir, 'shop', 'mapping.json'), JSON.stringify(SHOP_MAPPING, null, 2));
  writeFileSync(join(dir, 'shop', 'docs.ndjson'), SHOP_DOCS.map((d) => JSON.stringify(d)).join('\n') + '\n');
  return dir;
}
