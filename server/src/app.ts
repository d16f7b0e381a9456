import { createHash, timingSafeEqual } from 'node:crypto';
import { createYoga, isAsyncIterable, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { bearerToken } from './auth/token.ts';
import { RateLimiter } from './http/rate-limiter.ts';
import { QUERY_TOO_COSTLY } from './graphql/builder.ts';
import type { GraphQLContext } from './graphql/context.ts';
import { useJitExecution } from './graphql/jit.plugin.ts';
import { createLoaders } from './graphql/loaders.ts';
import { schema } from './graphql/schema.ts';
import type { Logger } from './logger.ts';
import { ValidationError } from './services/errors.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Services } from './services/index.ts';
import { useStreamedUploads } from './uploads/multipart-uploads.plugin.ts';
import { useRequestBodyLimit } from './http/request-body-limit.plugin.ts';
import { useRequestLog } from './http/request-log.plugin.ts';

/** Ordinary GraphQL requests are small; 1 MB leaves room for large variable lists. */
const MAX_JSON_BODY_BYTES = 1_000_000;

export interface AppDependencies {
  services: Services;
  logger: Logger;
  /** Serves `/metrics` (Prometheus text) when given; with a token, only to `Authorization: Bearer <token>`. */
  metrics?: { metrics: Metrics; token: string | null };
  /** Requests per second per token, sustained and in a burst; absent = unlimited (tests, benchmarks). */
  rateLimit?: { perSecond: number; burst: number };
  /** Compiled execution (graphql-jit) for queries and mutations; on unless false (the API bench compares). */
  jit?: boolean;
}

export type App = YogaServerInstance<Record<string, never>, GraphQLContext>;

/** Compares a presented secret with the expected one in constant time (digests have one length). */
function sameSecret(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

const unauthenticated = () =>
  new GraphQLError('A valid bearer token is required', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });

/**
 * An operation over the cost budget (builder.ts) fails in its first root field, before any resolver
 * runs; the answer then carries that refusal alone, not a `data` of nulls.
 */
function useCostRefusal(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if (isAsyncIterable(result)) return;
        const refusal = result.errors?.find((error) => error.extensions?.code === QUERY_TOO_COSTLY);
        if (refusal) setResult({ errors: [refusal] });
      },
    }),
  };
}

/** Builds the GraphQL app from its dependencies. It never listens: main.ts and tests call `app.fetch`. */
export function createApp({ services, logger, rateLimit, metrics, jit = true }: AppDependencies): App {
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
      // First, so that every request (refused ones too) gets an id and a log line.
      useRequestLog(logger),
      // Refused before execution: deep, aliased, directive-laden or long documents (introspection
      // excepted from depth). Armor's own cost limit is off: it prices literal `first` arguments but
      // not variables; builder.ts prices both (see useCostRefusal).
      ...new EnvelopArmor({
        maxDepth: { n: 10, ignoreIntrospection: true },
        maxAliases: { n: 15 },
        maxDirectives: { n: 10 },
        maxTokens: { n: 2000 },
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: true },
      }).protect().plugins,
      useCostRefusal(),
      // Queries and mutations run as compiled code (graphql-jit); subscriptions stay on graphql-js.
      ...(jit ? [useJitExecution(logger)] : []),
      useStreamedUploads({ tempDir: services.contents.tempDir, maxFileBytes: services.maxUploadBytes }),
      {
        // Liveness that also proves the database answers.
        async onRequest({ request, url, endResponse, fetchAPI }) {
          if (url.pathname === '/metrics' && metrics) {
            if (
              metrics.token !== null &&
              !sameSecret(bearerToken(request.headers.get('authorization')), metrics.token)
            ) {
              endResponse(
                new fetchAPI.Response('A valid bearer token is required\n', {
                  status: 401,
                  headers: { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' },
                }),
              );
              return;
            }
            const { body, contentType } = await metrics.metrics.render();
            endResponse(new fetchAPI.Response(body, { headers: { 'content-type': contentType } }));
            return;
          }
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
