// The JSON Schema of distillery.json, generated from the zod schema at build time
// (dist/distillery.schema.json, contributed to VS Code through `jsonValidation`).
import { zodToJsonSchema } from 'zod-to-json-schema';
import { projectSchema } from './config';

export function projectJsonSchema(): Record<string, unknown> {
  const schema = zodToJsonSchema(projectSchema, { name: 'DistilleryProject', $refStrategy: 'none' }) as Record<string, unknown>;
  return { ...schema, title: 'Distillery project file (distillery.json)' };
}
