import { createHash, timingSafeEqual } from 'node:crypto';
import { createYoga, isAsyncIterable, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { normalizedExecutor } from '@graphql-tools/executor';
import { EnvelopArmor } from '@escape.tech/graphql-armor';
import { bearerToken } from './auth/token.ts';
import { mutationAudits, outcomeOf } from './graphql/audit.ts';
import { MAX_QUERY_COST } from './graphql/builder.ts';
import type { GraphQLContext } from './graphql/context.ts';
import { createLoaders } from './graphql/loaders.ts';
import { QUERY_TOO_COSTLY, useQueryCostLimit } from './graphql/query-cost.ts';
import { schema } from './graphql/schema.ts';
import type { Logger } from './logger.ts';
import { ValidationError } from './services/errors.ts';
import type { Metrics } from './observability/metrics.ts';
import type { Services } from './services/index.ts';
import { useStreamedUploads } from './uploads/multipart-uploads.plugin.ts';
import { UploadSlots } from './uploads/upload-slots.ts';
import { TokenSubscriptions } from './events/token-subscriptions.ts';
import { principalOf, useAuthenticationFirst } from './http/authentication.plugin.ts';
import { DEFAULT_TRUSTED_PROXIES } from './http/client-address.ts';
import type { RateLimits } from './http/rate-limits.ts';
import { useRequestBodyLimit } from './http/request-body-limit.plugin.ts';
import { useParseFailuresAsBadRequests } from './http/parse-failure.plugin.ts';
import { useRequestLog } from './http/request-log.plugin.ts';

/** Ordinary GraphQL requests are small; 1 MB leaves room for large variable lists. */
const MAX_JSON_BODY_BYTES = 1_000_000;
const GRAPHQL_ENDPOINT = '/graphql';
export const DEFAULT_UPLOADS_PER_TOKEN = 4;
export const DEFAULT_SUBSCRIPTIONS_PER_TOKEN = 20;
/** A revoked token's open streams end within this long (one query per interval while any is open). */
const REVOCATION_CHECK_MS = 5_000;

export interface AppDependencies {
  services: Services;
  logger: Logger;
  /** Serves `/metrics` (Prometheus text) when given; with a token, only to `Authorization: Bearer <token>`. */
  metrics?: { metrics: Metrics; token: string | null };
  /** Rate limits shared by the replicas (http/rate-limits.ts); absent = unlimited (tests, benchmarks). */
  rateLimit?: RateLimits;
  /** Peers whose `X-Forwarded-For` names the client (default: loopback, i.e. the web app on this host). */
  trustedProxies?: readonly string[];
  /** Concurrent uploads per token in this process (default 4). */
  uploadsPerToken?: number;
  /** Open subscriptions per token in this process (default 20), and how often revocations are looked for. */
  subscriptions?: { perToken: number; revocationCheckMs?: number };
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
 * A mutation or subscription over the cost budget (builder.ts) fails in its first root field, before
 * any resolver runs; the answer then carries that refusal alone, not a `data` of nulls.
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

/**
 * Runs operations on @graphql-tools/executor 4 instead of the 2.x Yoga 5 bundles (same API, same
 * graphql-js semantics). 4.x no longer allocates per field what never changes within an execution:
 * no argument map for a field without arguments, no new `getAbortSignal`/`getAsyncHelpers` closures
 * in every `info`. The store page, then ~450 fields, allocated 597 -> 420 KB per request with it.
 */
function useExecutorV4(): Plugin {
  return {
    onExecute: ({ setExecuteFn }) => setExecuteFn(normalizedExecutor),
    onSubscribe: ({ setSubscribeFn }) => setSubscribeFn(normalizedExecutor),
  };
}

/** Builds the GraphQL app from its dependencies. It never listens: main.ts and tests call `app.fetch`. */
export function createApp({
  services,
  logger,
  rateLimit,
  trustedProxies = DEFAULT_TRUSTED_PROXIES,
  metrics,
  uploadsPerToken,
  subscriptions: subscriptionLimits,
}: AppDependencies): App {
  const subscriptions = new TokenSubscriptions(
    subscriptionLimits?.perToken ?? DEFAULT_SUBSCRIPTIONS_PER_TOKEN,
    (tokenIds) => services.accounts.revokedAmong(tokenIds),
    subscriptionLimits?.revocationCheckMs ?? REVOCATION_CHECK_MS,
    (error) => logger.warn({ err: error }, 'Could not check open subscriptions for revoked tokens'),
  );
  return createYoga<Record<string, never>, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_ENDPOINT,
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
      // useAuthenticationFirst answered 401 before parsing when there is no principal.
      const principal = principalOf(request);
      if (!principal) throw unauthenticated();
      return {
        principal,
        services,
        loaders: createLoaders(services, principal.accountId),
        subscriptions,
        logger,
      };
    },
    plugins: [
      useExecutorV4(),
      // First, so that every request (refused ones too) gets an id and a log line.
      useRequestLog(logger),
      // Before any parsing: no token or a bad one is 401 whatever the body holds.
      useAuthenticationFirst({
        endpoint: GRAPHQL_ENDPOINT,
        authenticate: (token) => services.accounts.authenticate(token),
        limits: rateLimit,
        trustedProxies,
      }),
      // Refused before execution: deep, aliased, directive-laden or long documents (introspection
      // excepted from depth). Armor's own cost limit is off: it prices literal `first` arguments but
      // not variables; builder.ts prices both (queries: useQueryCostLimit; others: useCostRefusal).
      ...new EnvelopArmor({
        maxDepth: { n: 10, ignoreIntrospection: true },
        maxAliases: { n: 15 },
        maxDirectives: { n: 10 },
        maxTokens: { n: 2000 },
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: true },
      }).protect().plugins,
      useQueryCostLimit(MAX_QUERY_COST),
      useCostRefusal(),
      useStreamedUploads({
        tempDir: services.contents.tempDir,
        maxFileBytes: services.maxUploadBytes,
        slots: new UploadSlots(uploadsPerToken ?? DEFAULT_UPLOADS_PER_TOKEN),
        // Refused before the resolver (a viewer, too many uploads, a bad body): audited here instead.
        onRefused: (principal, error) =>
          services.audit
            .record({
              accountId: principal.accountId,
              actor: { kind: 'TOKEN', tokenId: principal.tokenId },
              kind: mutationAudits.uploadVectorStoreFile!.kind,
              targets: [],
              summary: {},
              ...outcomeOf({ error }),
            })
            .catch((failure: unknown) =>
              logger.error({ err: failure }, 'Could not write the audit event of a refused upload'),
            ),
      }),
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
      useParseFailuresAsBadRequests(),
    ],
  });
}
