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

/**
 * The knowing departures from the spec, applied here so that they are visible and reviewable. Where
 * the spec and real traffic disagree, the traffic wins: `../shared/openai/recorded/openai-dotnet.json`
 * holds real OpenAI answers recorded by the official .NET SDK's tests (2025-09 to 2026-05).
 */
type Schemas = Record<string, { properties: Record<string, unknown> }>;
const nullable = (schema: unknown) => ({ anyOf: [schema, { type: 'null' }] });
const nullableString = nullable({ type: 'string' });

const PATCHES: Array<{ schemas: string[]; change: string; why: string; apply(schemas: Schemas): void }> = [
  {
    schemas: ['ListVectorStoresResponse', 'ListVectorStoreFilesResponse', 'ListFilesResponse'],
    change: 'first_id and last_id may be null',
    why:
      'The spec types them as strings and says nothing of empty pages; OpenAI answers an empty page without ' +
      'string ids (openai/openai-python#2209 shows first_id=None, last_id=None; 64bit/async-openai#270 had to ' +
      'make them optional). The emulator answers null.',
    apply(schemas) {
      for (const name of this.schemas) {
        schemas[name]!.properties.first_id = nullableString;
        schemas[name]!.properties.last_id = nullableString;
      }
    },
  },
  {
    schemas: ['VectorStoreObject'],
    change: 'name and expires_after may be null; description (string or null) is a property',
    why:
      'Recorded answers carry "name": null for a store created without a name, "expires_after": null for one ' +
      'without a policy, and "description": null on every store (the spec declares none of the three as null).',
    apply(schemas) {
      const properties = schemas.VectorStoreObject!.properties;
      properties.name = nullableString;
      properties.expires_after = nullable(properties.expires_after);
      properties.description = nullableString;
    },
  },
  {
    schemas: ['VectorStoreFileBatchObject'],
    change: 'object is "vector_store.file_batch"',
    why:
      'The spec\'s enum says "vector_store.files_batch"; its own description and every recorded answer say ' +
      '"vector_store.file_batch" (as do Azure\'s live tests).',
    apply(schemas) {
      schemas.VectorStoreFileBatchObject!.properties.object = {
        type: 'string',
        enum: ['vector_store.file_batch'],
      };
    },
  },
  {
    schemas: ['OpenAIFile'],
    change: 'expires_at and status_details may be null',
    why: 'Every recorded File carries "expires_at": null and "status_details": null when unset.',
    apply(schemas) {
      const properties = schemas.OpenAIFile!.properties;
      properties.expires_at = nullable(properties.expires_at);
      properties.status_details = nullable(properties.status_details);
    },
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

for (const patch of PATCHES) patch.apply(schemas as Schemas);

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
  `${JSON.stringify(
    {
      source,
      roots: ROOTS,
      patches: PATCHES.map(({ schemas: names, change, why }) => ({ schemas: names, change, why })),
      components: { schemas: sorted },
    },
    null,
    2,
  )}\n`,
);
console.log(`Wrote ${Object.keys(sorted).length} schemas to ${output}`);
