// Synthetic orders for the examples' index (examples/mapping.json), so every sample pair in
// examples/dataset.dss.jsonl returns something when run against the local engine.
//
//   node examples/seed/generate.mjs [--out DIR] [--count N] [--seed S]
//
// writes DIR/orders/mapping.json (a copy of examples/mapping.json) and DIR/orders/docs.ndjson —
// the layout `distillery engine start --seed DIR` loads. Default DIR is examples/.seed (git-ignored).
// The output is a pure function of (count, seed, day): dates are relative to the day it is made,
// because the sample queries use date math ("now-7d", "now/y"), so ensureOrdersSeed() remakes it
// when the day, the mapping or this script changed.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const examplesDir = dirname(here);
export const defaultSeedDir = join(examplesDir, '.seed');
export const DEFAULT_COUNT = 5000;
export const DEFAULT_SEED = 20261201;

/** mulberry32: small, fast and deterministic; quality is ample for sample data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = [
  { city: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405, weight: 8 },
  { city: 'Hamburg', country: 'DE', lat: 53.551, lon: 9.993, weight: 3 },
  { city: 'Munich', country: 'DE', lat: 48.137, lon: 11.575, weight: 3 },
  { city: 'Paris', country: 'FR', lat: 48.857, lon: 2.352, weight: 6 },
  { city: 'Lyon', country: 'FR', lat: 45.764, lon: 4.836, weight: 2 },
  { city: 'London', country: 'GB', lat: 51.507, lon: -0.128, weight: 7 },
  { city: 'Manchester', country: 'GB', lat: 53.481, lon: -2.243, weight: 2 },
  { city: 'New York', country: 'US', lat: 40.713, lon: -74.006, weight: 6 },
  { city: 'Los Angeles', country: 'US', lat: 34.052, lon: -118.244, weight: 3 },
  { city: 'Madrid', country: 'ES', lat: 40.417, lon: -3.704, weight: 3 },
  { city: 'Amsterdam', country: 'NL', lat: 52.37, lon: 4.895, weight: 3 },
  { city: 'Istanbul', country: 'TR', lat: 41.008, lon: 28.978, weight: 2 },
  { city: 'Dubai', country: 'AE', lat: 25.205, lon: 55.271, weight: 2 },
  { city: 'Cairo', country: 'EG', lat: 30.044, lon: 31.236, weight: 1 },
];
const CURRENCY = { DE: 'EUR', FR: 'EUR', ES: 'EUR', NL: 'EUR', GB: 'GBP', US: 'USD', TR: 'EUR', AE: 'USD', EG: 'USD' };
const FIRST = {
  MALE: ['Eddie', 'Oliver', 'Mostafa', 'Robbie', 'Jim', 'Sultan Al', 'Abd', 'Youssef', 'Wagdi', 'George', 'Jason', 'Phil', 'Tariq', 'Hicham', 'Boris'],
  FEMALE: ['Mary', 'Gwen', 'Diane', 'Elyssa', 'Rabbia Al', 'Sonya', 'Wilhemina St.', 'Betty', 'Abigail', 'Selena', 'Brigitte', 'Pia', 'Jackson', 'Irwin', 'Yahya'],
};
const LAST = ['Underwood', 'Bailey', 'Chandler', 'Daniels', 'Graham', 'Perkins', 'Rivera', 'Weber', 'Mccarthy', 'Hampton', 'Hodges', 'Lambert', 'Morrison', 'Richards', 'Shaw', 'Tran', 'Webb', 'Goodwin', 'Foster', 'Powell'];
const TIERS = [['bronze', 5], ['silver', 3], ['gold', 2], ['platinum', 1]];
const MAIL_DOMAINS = [['example.com', 3], ['mail.test', 2], ['shop.example.org', 1]];
const CATALOG = [
  ["Men's Clothing", ['Basic T-shirt', 'Slim fit jeans', 'Hoodie', 'Winter jacket', 'Polo shirt', 'Chinos']],
  ["Women's Clothing", ['Basic T-shirt', 'Summer dress', 'Cardigan', 'Blouse', 'Trench coat', 'Leggings']],
  ["Men's Shoes", ['Lace-up boots', 'Trainers', 'Loafers', 'Sandals']],
  ["Women's Shoes", ['Ankle boots', 'Ballet pumps', 'High heels', 'Trainers']],
  ["Women's Accessories", ['Handbag', 'Scarf', 'Sunglasses', 'Watch']],
  ["Men's Accessories", ['Belt', 'Wallet', 'Beanie', 'Watch']],
];
const COLOURS = ['black', 'white', 'navy', 'grey', 'red', 'olive', 'brown', 'beige'];
const MANUFACTURERS = ['Elitelligence', 'Oceanavigations', 'Low Tide Media', 'Pyramidustries', 'Tigress Enterprises', 'Angeldale', 'Gnomehouse', 'Spherecords', 'Microlutions', 'Champion Arts'];
const STATUSES = [['completed', 50], ['shipped', 18], ['processing', 10], ['cancelled', 9], ['returned', 6], ['refunded', 7]];
const PAYMENT = [['credit_card', 45], ['paypal', 25], ['bank_transfer', 10], ['apple_pay', 12], ['klarna', 8]];
const CARRIERS = [['DHL', 4], ['UPS', 3], ['FedEx', 2], ['DPD', 2], ['Royal Mail', 1]];
const TAGS = ['priority', 'fragile', 'express', 'bulk', 'vip', 'gift-wrap'];
const COUPONS = ['SAVE10', 'WELCOME5', 'SPRING20', 'VIP15'];
const NOTES = [
  'Please call before delivery.',
  'Call before delivery, the doorbell is broken.',
  'Leave the parcel with the neighbour.',
  'Fragile items, handle with care.',
  'Deliver after 5pm please.',
  'Leave at the back door.',
];
const REVIEWS = [
  [5, 'Excellent quality and fast shipping, would buy again.'],
  [5, 'Excellent fit, exactly as described.'],
  [4, 'Good value for the price.'],
  [4, 'Nice colour, runs a bit small.'],
  [3, 'Average product, delivery took a while.'],
  [2, 'The box arrived broken and the packaging was damaged.'],
  [2, 'Packaging was damaged but the product survived.'],
  [1, 'Broken zipper on arrival, damaged stitching, very disappointed.'],
  [1, 'Wrong size and the packaging was broken.'],
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_MS = 86_400_000;

/** Generates `count` order documents (each with `_id`), deterministic for (count, seed, now's day). */
export function generateOrders({ count = DEFAULT_COUNT, seed = DEFAULT_SEED, now = Date.now() } = {}) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const weighted = (pairs) => {
    const total = pairs.reduce((s, p) => s + p[p.length - 1], 0);
    let r = rand() * total;
    for (const p of pairs) if ((r -= p[p.length - 1]) < 0) return p;
    return pairs[pairs.length - 1];
  };
  const round2 = (x) => Math.round(x * 100) / 100;
  const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

  // Customers: a fixed pool, each with a home city; the first is the Eddie Underwood the samples ask for.
  const customers = [];
  for (let i = 0; i < 600; i++) {
    const gender = i === 0 ? 'MALE' : rand() < 0.5 ? 'MALE' : 'FEMALE';
    const first = i === 0 ? 'Eddie' : pick(FIRST[gender]);
    const last = i === 0 ? 'Underwood' : pick(LAST);
    const place = weighted(CITIES.map((c) => [c, c.weight]))[0];
    customers.push({
      id: `C-${String(i + 1).padStart(4, '0')}`,
      full_name: `${first} ${last}`,
      email: `${first.toLowerCase().replace(/[^a-z]/g, '')}.${last.toLowerCase()}${i}@${weighted(MAIL_DOMAINS)[0]}`,
      gender,
      tier: weighted(TIERS)[0],
      signup_date: iso(now - (400 + Math.floor(rand() * 1000)) * DAY_MS),
      place,
    });
  }
  const products = [];
  for (const [category, names] of CATALOG) {
    for (const name of names) {
      for (const manufacturer of MANUFACTURERS) {
        if (rand() < 0.45) continue;
        const colour = pick(COLOURS);
        products.push({
          product_id: `P-${String(products.length + 1).padStart(4, '0')}`,
          product_name: `${name} - ${colour}`,
          category,
          manufacturer,
          // Mostly everyday prices, with a tail above 200 for the "expensive" samples.
          price: round2(8 + rand() ** 2.2 * 260),
        });
      }
    }
  }

  const docs = [];
  for (let i = 0; i < count; i++) {
    // Recent days are busier; the first orders fall in the first minute of `now` so "this year"
    // and "last 7 days" hold orders on any day the seed is made, 1 January included.
    const age = i < 20 ? -rand() * 60_000 : rand() ** 1.6 * 420 * DAY_MS;
    const date = now - age;
    const customer = customers[i < 30 ? 0 : Math.floor(rand() * customers.length)];
    const [status] = weighted(STATUSES);
    const lines = [];
    const n = 1 + Math.floor(rand() ** 1.5 * 4);
    for (let k = 0; k < n; k++) {
      const p = pick(products);
      lines.push({ ...p, quantity: 1 + Math.floor(rand() ** 2 * 3), discount_percentage: rand() < 0.25 ? pick([5, 10, 15, 20, 30]) : 0 });
    }
    const net = lines.reduce((s, l) => s + l.price * l.quantity * (1 - l.discount_percentage / 100), 0);
    const country = customer.place.country;
    const jitter = () => (rand() - 0.5) * 0.12; // about ±4 km around the city centre
    const doc = {
      _id: `ORD-${String(i + 1).padStart(6, '0')}`,
      order_id: `ORD-${String(i + 1).padStart(6, '0')}`,
      order_date: iso(date),
      status,
      currency: CURRENCY[country] ?? 'USD',
      payment_method: weighted(PAYMENT)[0],
      is_gift: rand() < 0.15,
      day_of_week: DAYS[new Date(date).getUTCDay()],
      taxful_total_price: round2(net * 1.19),
      total_quantity: lines.reduce((s, l) => s + l.quantity, 0),
      tags: TAGS.filter(() => rand() < 0.12),
      customer: {
        id: customer.id,
        full_name: customer.full_name,
        email: customer.email,
        gender: customer.gender,
        tier: customer.tier,
        signup_date: customer.signup_date,
      },
      geoip: {
        city_name: customer.place.city,
        country_iso_code: country,
        location: { lat: round6(customer.place.lat + jitter()), lon: round6(customer.place.lon + jitter()) },
      },
      products: lines,
    };
    if (rand() < 0.2) doc.coupon_code = pick(COUPONS);
    if (rand() < 0.3) doc.notes = pick(NOTES);
    if (rand() < 0.4) {
      const [rating, comment] = pick(REVIEWS);
      doc.review_rating = rating;
      doc.review_comment = comment;
    }
    if (status !== 'processing' && status !== 'cancelled') {
      const shippedAt = Math.max(date, Math.min(date + (0.5 + rand() * 1.5) * DAY_MS, now));
      const deliveredAt = shippedAt + (1 + rand() * 3) * DAY_MS;
      doc.shipping = {
        carrier: weighted(CARRIERS)[0],
        shipped_at: iso(shippedAt),
        tracking_number: `TRK${String(1e9 + Math.floor(rand() * 9e9))}`,
        address: `${1 + Math.floor(rand() * 200)} ${pick(['Main Street', 'Station Road', 'Park Lane', 'Rue de la Paix', 'Hauptstraße'])}, ${customer.place.city}`,
      };
      // "shipped" orders are on their way: no delivery date yet.
      if (status !== 'shipped' && deliveredAt <= now) doc.shipping.delivered_at = iso(deliveredAt);
    }
    docs.push(doc);
  }
  return docs;
}

function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

function stampFor({ count, seed, day, mapping }) {
  const script = readFileSync(fileURLToPath(import.meta.url));
  return createHash('sha256').update(script).update(mapping).update(`${count}\0${seed}\0${day}`).digest('hex');
}

/**
 * Makes sure DIR/orders holds today's seed; returns DIR. Cheap when it is current (one hash);
 * written to a temp name and renamed, so a concurrent reader never sees half a file.
 */
export function ensureOrdersSeed({ out = defaultSeedDir, count = DEFAULT_COUNT, seed = DEFAULT_SEED, now = Date.now() } = {}) {
  const mapping = readFileSync(join(examplesDir, 'mapping.json'));
  const day = new Date(now).toISOString().slice(0, 10);
  const stamp = stampFor({ count, seed, day, mapping });
  const dir = join(out, 'orders');
  const stampFile = join(dir, '.stamp');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp && existsSync(join(dir, 'docs.ndjson'))) return out;
  mkdirSync(dir, { recursive: true });
  // The start of the (UTC) day, so the output depends on the day only, not on the hour it is made.
  const docs = generateOrders({ count, seed, now: Date.parse(`${day}T00:00:00Z`) });
  const tmp = `.tmp-${process.pid}`;
  writeFileSync(join(dir, `mapping.json${tmp}`), mapping);
  writeFileSync(join(dir, `docs.ndjson${tmp}`), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  renameSync(join(dir, `mapping.json${tmp}`), join(dir, 'mapping.json'));
  renameSync(join(dir, `docs.ndjson${tmp}`), join(dir, 'docs.ndjson'));
  writeFileSync(join(dir, '.stamp'), stamp);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
  };
  const count = Number(flag('count', DEFAULT_COUNT));
  const seed = Number(flag('seed', DEFAULT_SEED));
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
    console.error('usage: node examples/seed/generate.mjs [--out DIR] [--count N ≥ 1] [--seed INTEGER]');
    process.exit(2);
  }
  const out = ensureOrdersSeed({ out: flag('out', defaultSeedDir), count, seed });
  console.log(`${join(out, 'orders')}: ${count} orders`);
}
