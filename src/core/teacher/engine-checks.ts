// The Query DSL engine (src/core/dsl) behind the teacher's DslChecks interface: mapping-aware
// validation, the engine's normaliser for voting, and its query/aggregation types for few-shot
// diversity. The structural fallback also runs, so an answer the engine has no opinion on is still
// checked for the mistakes Elasticsearch rejects outright.
import { aggregationTypes, normalizeBody, parseMapping, topQueryType, validateBody, type ValidateOptions } from '../dsl';
import { basicSignature, basicValidate, canonicalJson, type DslChecks, type DslIssue } from './dsl-checks';

export function engineChecks(mappingJson: unknown, esVersion?: string): DslChecks {
  const options: ValidateOptions = {};
  if (mappingJson !== undefined && mappingJson !== null) options.mapping = parseMapping(mappingJson);
  if (esVersion) options.esVersion = esVersion;
  return {
    validate(body: unknown): DslIssue[] {
      const issues: DslIssue[] = validateBody(body, options).map((p) => ({ pointer: p.pointer, code: p.code, severity: p.severity, message: p.message }));
      const seen = new Set(issues.filter((i) => i.severity === 'error').map((i) => i.pointer));
      for (const b of basicValidate(body)) if (!seen.has(b.pointer)) issues.push(b);
      return issues;
    },
    canonical: (body) => canonicalJson(normalizeBody(body)),
    signature(body: unknown): string {
      const top = topQueryType(body);
      if (top === null) return basicSignature(body);
      return `${top}|${[...aggregationTypes(body)].sort().join('+')}`;
    },
  };
}
