// Elasticsearch refuses mappings whose object fields nest deeper than `index.mapping.depth.limit`
// (20 by default). A mapping file nested far deeper (100,000 levels) ran the CLI and the language
// server out of memory in the recursive parsers, so the depth is measured on the text, in one
// iterative pass with no recursion, before anything parses it.

/** Elasticsearch's default `index.mapping.depth.limit`. */
export const MAPPING_DEPTH_LIMIT = 20;
/** Raw JSON nesting allowed around that (the `properties`/field objects, GET _mapping's wrapper). */
const JSON_DEPTH_LIMIT = 4 * MAPPING_DEPTH_LIMIT + 10;

/**
 * Why a mapping's text is too deep to use, or undefined. Counts nested `properties` objects (the
 * field depth Elasticsearch limits) and raw JSON depth; not a validator: malformed JSON is left to
 * the parser that follows.
 */
export function mappingDepthProblem(text: string): string | undefined {
  // Per open container: is it an object, and how many `properties` objects enclose it (itself included).
  const isObject: boolean[] = [];
  const fieldDepth: number[] = [];
  let lastString = '';
  let keyPending = false; // the last string was followed by ':' (it is the key of the next value)
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      lastString = text.slice(i + 1, j);
      keyPending = false;
      i = j;
    } else if (c === 0x3a /* : */) {
      keyPending = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const parentDepth = fieldDepth.length ? fieldDepth[fieldDepth.length - 1]! : 0;
      const properties = c === 0x7b && keyPending && lastString === 'properties' && isObject[isObject.length - 1] === true;
      isObject.push(c === 0x7b);
      fieldDepth.push(parentDepth + (properties ? 1 : 0));
      keyPending = false;
      if (fieldDepth[fieldDepth.length - 1]! > MAPPING_DEPTH_LIMIT) {
        return `its fields nest deeper than ${MAPPING_DEPTH_LIMIT} levels, which Elasticsearch refuses (index.mapping.depth.limit); flatten the mapping`;
      }
      if (isObject.length > JSON_DEPTH_LIMIT) return `it is nested more than ${JSON_DEPTH_LIMIT} levels deep; no Elasticsearch mapping is`;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      isObject.pop();
      fieldDepth.pop();
      keyPending = false;
    } else if (c === 0x2c /* , */) {
      keyPending = false;
    }
  }
  return undefined;
}
