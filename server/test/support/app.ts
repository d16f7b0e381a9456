import pino from 'pino';
import { createApp, type App, type AppDependencies } from '../../src/app.ts';
import { createServices, type ServiceOptions, type Services } from '../../src/services/index.ts';
import type { TestDatabase } from './database.ts';
import { testSecrets } from '../factories/index.ts';

export interface TestApp {
  app: App;
  services: Services;
  /** Runs one GraphQL operation through the real Yoga app, as an HTTP client would. */
  graphql<T = Record<string, unknown>>(
    query: string,
    options?: { token?: string | null; variables?: Record<string, unknown> },
  ): Promise<{
    status: number;
    body: { data?: T; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  }>;
}

export function createTestApp(
  database: TestDatabase,
  options: ServiceOptions = {},
  appOptions: Partial<Omit<AppDependencies, 'services' | 'logger'>> = {},
): TestApp {
  const services = createServices(database.dataSource, testSecrets, options);
  const app = createApp({
    services,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...appOptions,
  });
  return {
    app,
    services,
    async graphql(query, { token, variables } = {}) {
      const response = await app.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: await response.json() };
    },
  };
}
