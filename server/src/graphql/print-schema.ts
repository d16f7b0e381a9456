import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { printSchema } from 'graphql';
import { repoRoot } from '../config.ts';
import { schema } from './schema.ts';

/** Writes the committed `schema.graphql`; a test fails when the file differs from this output. */
export const printedSchema = () => `${printSchema(schema)}\n`;

if (process.argv[1] === import.meta.filename) {
  const file = path.join(repoRoot, 'schema.graphql');
  await writeFile(file, printedSchema());
  console.log(`Wrote ${file}`);
}
