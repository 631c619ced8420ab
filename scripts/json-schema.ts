// The job's JSON Schemas (input, progress, result), generated from the one definition: the TypeScript types in
// src/shared/job.ts. `npm run schema` writes them under schema/; a test fails when the committed files drift.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGenerator, type Config } from 'ts-json-schema-generator';

const root = join(__dirname, '..');

/** The schema files and the type each describes. */
export const JOB_SCHEMAS = {
  'batch-job-input.schema.json': 'BatchJobInput',
  'job-progress.schema.json': 'JobProgress',
  'batch-job-result.schema.json': 'BatchJobResult',
} as const;

export type SchemaFile = keyof typeof JOB_SCHEMAS;

/** Each schema as the text committed under schema/. */
export function generateJobSchemas(): Record<SchemaFile, string> {
  const config: Config = {
    path: join(root, 'src/shared/job.ts'),
    tsconfig: join(root, 'tsconfig.json'),
    type: '*',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: true,
    skipTypeCheck: true,
  };
  const generator = createGenerator(config);
  const out = {} as Record<SchemaFile, string>;
  for (const [file, type] of Object.entries(JOB_SCHEMAS) as [SchemaFile, string][]) {
    const schema = generator.createSchema(type);
    out[file] = JSON.stringify(schema, null, 2) + '\n';
  }
  return out;
}

if (require.main === module) {
  for (const [file, text] of Object.entries(generateJobSchemas())) {
    writeFileSync(join(root, 'schema', file), text);
    console.log(`wrote schema/${file}`);
  }
}
