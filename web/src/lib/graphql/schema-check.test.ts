/**
 * `pnpm check` runs `gql-tada check` over the web app: this proves the step refuses a document the schema
 * does not answer (and accepts one it does), and that the committed introspection types are those of
 * today's `schema.graphql` (a stale `graphql-env.d.ts` would check documents against an old schema).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const webRoot = fileURLToPath(new URL('../../..', import.meta.url));
const schemaPath = join(webRoot, '..', 'schema.graphql');
const committedOutput = join(webRoot, 'src/lib/graphql/graphql-env.d.ts');
const cli = join(webRoot, 'node_modules/.bin/gql-tada');

let fixture: string;

beforeAll(async () => {
  // Inside web/ so the fixture resolves gql.tada from the app's own node_modules.
  fixture = await mkdtemp(join(webRoot, '.schema-check-'));
  const plugin = { name: 'gql.tada/ts-plugin', schema: schemaPath, tadaOutputLocation: committedOutput };
  await writeFile(
    join(fixture, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'esnext',
        moduleResolution: 'bundler',
        allowImportingTsExtensions: true,
        noEmit: true,
        plugins: [plugin],
      },
      include: ['*.ts'],
    }),
  );
});

afterAll(async () => {
  await rm(fixture, { recursive: true, force: true });
});

async function checkDocument(selection: string): Promise<{ code: number; output: string }> {
  await writeFile(
    join(fixture, 'document.ts'),
    `import { graphql } from '../src/lib/graphql/graphql.ts';\n` +
      `export const DOCUMENT = graphql(\`query Probe { vectorStores(first: 1) { ${selection} } }\`);\n`,
  );
  try {
    const { stdout, stderr } = await run(cli, ['check', '--tsconfig', join(fixture, 'tsconfig.json')]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

// Each check starts the gql-tada CLI, which takes 4 to 5 s on a loaded machine: past vitest's 5 s default.
describe('gql-tada check (a step of pnpm check)', { timeout: 30_000 }, () => {
  it('accepts a document the schema answers', async () => {
    const result = await checkDocument('totalCount');
    expect(result.output).not.toMatch(/error/);
    expect(result.code).toBe(0);
  });

  it('fails on a field the schema does not have, naming it', async () => {
    const result = await checkDocument('totalCount renamedField');
    expect(result.code).toBe(1);
    expect(result.output).toContain('Cannot query field "renamedField" on type "VectorStoreConnection"');
  });

  it('checks against the committed introspection of today’s schema.graphql', async () => {
    const fresh = join(fixture, 'graphql-env.d.ts');
    await run(cli, ['generate', 'output', '--tsconfig', join(fixture, 'tsconfig.json'), '--output', fresh]);
    expect(await readFile(committedOutput, 'utf8')).toBe(await readFile(fresh, 'utf8'));
  });
});
