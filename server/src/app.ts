import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError, validate, type ExecutionArgs } from 'graphql';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { createComplexityRule } from '@pothos/plugin-complexity';
import { bearerToken } from './auth/token.ts';
import { RateLimiter } from './http/rate-limiter.ts';
import type { GraphQLContext } from './graphql/context.ts';
import { createLoaders } from './graphql/loaders.ts';
import { schema } from './graphql/schema.ts';
import type { Logger } from './logger.ts';
import { ValidationError } from './services/errors.ts';
import type { Services } from './services/index.ts';
import { useStreamedUploads } from './uploads/multipart-uploads.plugin.ts';
import { useRequestBodyLimit } from './http/request-body-limit.plugin.ts';

/** Ordinary GraphQL requests are small; 1 MB leaves room for large variable lists. */
const MAX_JSON_BODY_BYTES = 1_000_000;

/**
 * The cost budget of one operation, as builder.ts prices fields: 1 per field, what is under a
 * connection counted once per item of the page it asks for (`first`/`last`, literal or variable).
 * The web app's largest documents cost about 2,600 (100 stores with their summary; a store with 100
 * of its files) and the list page of the benchmark (50 stores with 5 files each) about 2,550;
 * 100 stores with 100 files each (about 70,000) is refused.
 */
export const MAX_QUERY_COST = 20_000;

export interface AppDependencies {
  services: Services;
  logger: Logger;
  /** Requests per second per token, sustained and in a burst; absent = unlimited (tests, benchmarks). */
  rateLimit?: { perSecond: number; burst: number };
}

export type App = YogaServerInstance<Record<string, never>, GraphQLContext>;

const unauthenticated = () =>
  new GraphQLError('A valid bearer token is required', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });

/**
 * Refuses, before anything runs, an operation that costs more than `maxCost`. Measured per request
 * with its variables and operation name, so it is not cached with the document like validation.
 */
function useCostLimit(maxCost: number): Plugin {
  const refusal = (args: ExecutionArgs) => {
    const errors = validate(args.schema, args.document, [
      createComplexityRule({
        context: {},
        variableValues: args.variableValues ?? {},
        operationName: args.operationName,
        validate: ({ complexity }, report) => {
          if (complexity <= maxCost) return;
          report(
            new GraphQLError(
              `Query cost ${complexity} exceeds the limit of ${maxCost}: ask for smaller pages`,
              {
                extensions: { code: 'QUERY_TOO_COSTLY', cost: complexity, maxCost },
              },
            ),
          );
        },
      }),
    ]);
    return errors.length > 0 ? { errors } : null;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution(refused);
    },
  };
}

/** Builds the GraphQL app from its dependencies. It never listens: main.ts and tests call `app.fetch`. */
export function createApp({ services, logger, rateLimit }: AppDependencies): App {
  const limiter = rateLimit ? new RateLimiter(rateLimit.perSecond, rateLimit.burst) : null;
  return createYoga<Record<string, never>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    // The web app reaches the API through its own origin, so no cross-origin request is allowed.
    cors: false,
    landingPage: false,
    // `/live` is Yoga's bare liveness; `/health` (below) also checks the database.
    healthCheckEndpoint: '/live',
    // Replaced by useRequestBodyLimit (ordinary requests) and the upload parser's per-file limit.
    maxRequestBodySize: false,
    maskedErrors: {
      // A domain ValidationError outside a result union (e.g. a bad cursor) is the client's mistake:
      // say what it was. Anything else unexpected stays masked and is logged with its stack.
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
        if (original instanceof ValidationError) {
          return new GraphQLError(original.message, {
            extensions: { code: 'BAD_USER_INPUT', field: original.field },
          });
        }
        if (!(original instanceof GraphQLError))
          logger.error({ err: original }, 'Unexpected error in a resolver');
        return maskError(error, message, isDev);
      },
    },
    logging: {
      debug: (...args) => logger.debug({ args }, 'yoga'),
      info: (...args) => logger.info({ args }, 'yoga'),
      warn: (...args) => logger.warn({ args }, 'yoga'),
      error: (...args) => logger.error({ args }, 'yoga'),
    },
    context: async ({ request }): Promise<GraphQLContext> => {
      const token = bearerToken(request.headers.get('authorization'));
      const principal = token ? await services.accounts.authenticate(token) : null;
      if (!principal) throw unauthenticated();
      const waitSeconds = limiter?.take(principal.tokenId) ?? 0;
      if (waitSeconds > 0) {
        throw new GraphQLError('Too many requests for this token: slow down', {
          extensions: {
            code: 'RATE_LIMITED',
            http: { status: 429, headers: { 'Retry-After': String(waitSeconds) } },
          },
        });
      }
      return { principal, services, loaders: createLoaders(services, principal.accountId) };
    },
    plugins: [
      // Refused before execution: deep, aliased, directive-laden or long documents (introspection
      // excepted from depth). Armor's own cost limit is off: it prices literal `first` arguments but
      // not variables; useCostLimit prices both.
      ...new EnvelopArmor({
        maxDepth: { n: 10, ignoreIntrospection: true },
        maxAliases: { n: 15 },
        maxDirectives: { n: 10 },
        maxTokens: { n: 2000 },
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: true },
      }).protect().plugins,
      useCostLimit(MAX_QUERY_COST),
      useStreamedUploads({ tempDir: services.contents.tempDir, maxFileBytes: services.maxUploadBytes }),
      {
        // Liveness that also proves the database answers.
        async onRequest({ url, endResponse, fetchAPI }) {
          if (url.pathname !== '/health') return;
          try {
            await services.db.query('SELECT 1');
            endResponse(fetchAPI.Response.json({ status: 'ok', database: 'ok' }));
          } catch {
            endResponse(
              fetchAPI.Response.json({ status: 'error', database: 'unreachable' }, { status: 503 }),
            );
          }
        },
      },
      useRequestBodyLimit(MAX_JSON_BODY_BYTES),
    ],
  });
}
