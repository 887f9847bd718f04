// A small e-commerce mapping used across the dsl tests: text with keyword multi-field, numbers,
// dates, geo, a nested array, a plain object, an alias and a runtime field.
export const ECOMMERCE_MAPPINGS = {
  dynamic: 'strict',
  runtime: { day_of_week: { type: 'keyword', script: { source: "emit(doc['ordered_at'].value.dayOfWeekEnum.toString())" } } },
  properties: {
    title: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
    description: { type: 'text' },
    notes: { type: 'text', fielddata: true },
    status: { type: 'keyword' },
    price: { type: 'double' },
    quantity: { type: 'integer' },
    in_stock: { type: 'boolean' },
    ordered_at: { type: 'date' },
    store_location: { type: 'geo_point' },
    customer: { properties: { name: { type: 'text', fields: { raw: { type: 'keyword' } } }, email: { type: 'keyword' } } },
    'shipping.city': { type: 'keyword' },
    lines: {
      type: 'nested',
      properties: {
        sku: { type: 'keyword' },
        qty: { type: 'integer' },
        discounts: { type: 'nested', properties: { code: { type: 'keyword' } } },
      },
    },
    cost: { type: 'alias', path: 'price' },
  },
} as const;
