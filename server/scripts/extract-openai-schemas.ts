/**
 * Extracts the component schemas the emulator tests validate against from OpenAI's openapi.yaml
 * into test/emulator/openapi-schemas.json, so a clone without the shared spec can run the tests.
 *
 *   node --import tsx/esm scripts/extract-openai-schemas.ts [path/to/openapi.yaml]
 *
 * Default input: ../shared/openai/openapi.yaml beside the repository (with its SOURCE.md).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOTS = [
  'VectorStoreObject',
  'ListVectorStoresResponse',
  'DeleteVectorStoreResponse',
  'VectorStoreSearchResultsPage',
  'VectorStoreFileObject',
  'ListVectorStoreFilesResponse',
  'DeleteVectorStoreFileResponse',
  'VectorStoreFileContentResponse',
  'VectorStoreFileBatchObject',
  'OpenAIFile',
  'ListFilesResponse',
  'DeleteFileResponse',
  'ErrorResponse',
];

/** The one knowing departure from the spec, applied here so that it is visible and reviewable. */
const PATCHES = [
  {
    schemas: ['ListVectorStoresResponse', 'ListVectorStoreFilesResponse', 'ListFilesResponse'],
    change: 'first_id and last_id may be null',
    why:
      'The spec types them as strings and says nothing of empty pages; OpenAI answers an empty page without ' +
      'string ids (openai/openai-python#2209 shows first_id=None, last_id=None; 64bit/async-openai#270 had to ' +
      'make them optional). The emulator answers null.',
  },
];

const here = dirname(fileURLToPath(import.meta.url));
const input = resolve(process.argv[2] ?? join(here, '../../../shared/openai/openapi.yaml'));
const output = join(here, '../test/emulator/openapi-schemas.json');

const spec = parse(readFileSync(input, 'utf8')) as { components: { schemas: Record<string, unknown> } };
const all = spec.components.schemas;

function refsIn(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) node.forEach((item) => refsIn(item, found));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.add(value.replace('#/components/schemas/', ''));
      else refsIn(value, found);
    }
  }
}

const schemas: Record<string, unknown> = {};
const queue = [...ROOTS];
while (queue.length > 0) {
  const name = queue.shift()!;
  if (name in schemas) continue;
  if (!(name in all)) throw new Error(`Schema ${name} is not in ${input}`);
  schemas[name] = structuredClone(all[name]);
  const found = new Set<string>();
  refsIn(all[name], found);
  queue.push(...found);
}

const nullableString = { anyOf: [{ type: 'string' }, { type: 'null' }] };
for (const name of PATCHES[0]!.schemas) {
  const properties = (schemas[name] as { properties: Record<string, unknown> }).properties;
  properties.first_id = nullableString;
  properties.last_id = nullableString;
}

let source: Record<string, string> = { file: input };
try {
  const text = readFileSync(join(dirname(input), 'SOURCE.md'), 'utf8');
  source = {
    repository: 'github.com/openai/openai-openapi',
    path: 'openapi.yaml',
    commit: /Commit: ([0-9a-f]{40})/.exec(text)?.[1] ?? 'unknown',
    blob: /git blob ([0-9a-f]{40})/.exec(text)?.[1] ?? 'unknown',
  };
} catch {
  // No SOURCE.md: the input path is all we know.
}

const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(
  output,
  `${JSON.stringify({ source, roots: ROOTS, patches: PATCHES, components: { schemas: sorted } }, null, 2)}\n`,
);
console.log(`Wrote ${Object.keys(sorted).length} schemas to ${output}`);
