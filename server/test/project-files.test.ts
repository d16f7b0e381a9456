import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../src/config.ts';

const read = (file: string) => readFile(path.join(repoRoot, file), 'utf8');

interface ComposeService {
  command: string[];
  environment?: Record<string, string>;
}

/** Variables documented in the README's configuration table. */
async function documentedVariables(): Promise<Set<string>> {
  const readme = await read('README.md');
  return new Set([...readme.matchAll(/^\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => m[1]!));
}

describe('docker-compose.yml', () => {
  it('runs PostgreSQL, two API replicas and the web app with the documented commands', async () => {
    const compose = parse(await read('docker-compose.yml')) as {
      services: Record<string, ComposeService & { deploy?: { replicas: number } }>;
    };
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['postgres', 'server', 'web']));
    expect(compose.services.server!.deploy?.replicas).toBe(2);

    const serverPackage = JSON.parse(await read('server/package.json'));
    const webPackage = JSON.parse(await read('web/package.json'));
    // The package scripts run inside their folder; compose runs from the repository root.
    const fromRoot = (script: string, folder: string) =>
      script.split(' ').map((arg) => (/\.(ts|js)$/.test(arg) ? `${folder}/${arg}` : arg));
    expect(compose.services.server!.command).toEqual(fromRoot(serverPackage.scripts.start, 'server'));
    expect(compose.services.web!.command).toEqual(fromRoot(webPackage.scripts.start, 'web'));
    // Every process runs the build (`pnpm build`), never TypeScript through tsx.
    for (const name of ['server', 'emulator']) {
      const entry = compose.services[name]!.command.find((arg) => arg.endsWith('.js'))!;
      expect(entry, name).toMatch(/^server\/dist\//);
      const source = entry.replace(/^server\/dist\//, 'server/src/').replace(/\.js$/, '.ts');
      await expect(read(source), `${name}: ${source}`).resolves.toBeTruthy();
    }
  });

  it('uses only documented environment variables', async () => {
    const compose = parse(await read('docker-compose.yml')) as { services: Record<string, ComposeService> };
    const documented = await documentedVariables();
    for (const name of ['server', 'web', 'emulator']) {
      for (const variable of Object.keys(compose.services[name]!.environment ?? {})) {
        expect(documented, `${name}: ${variable}`).toContain(variable);
      }
    }
  });

  it('is built by a Dockerfile that runs the README install', async () => {
    const dockerfile = await read('Dockerfile');
    expect(dockerfile).toContain('pnpm install --frozen-lockfile && pnpm build');
    expect(await read('README.md')).toContain('pnpm install && pnpm start');
  });
});

describe('README configuration', () => {
  it('documents every variable the server reads', async () => {
    const config = await read('server/src/config.ts');
    const read_ = [...config.matchAll(/\b(?:str|port|url|positiveInt)\('([A-Z_]+)'/g)].map((m) => m[1]!);
    expect(read_.length).toBeGreaterThan(5);
    const documented = await documentedVariables();
    for (const variable of read_) expect(documented, variable).toContain(variable);
  });
});
