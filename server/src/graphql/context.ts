import type { TokenSubscriptions } from '../events/token-subscriptions.ts';
import type { Logger } from '../logger.ts';
import type { Principal } from '../services/account.service.ts';
import type { Services } from '../services/index.ts';
import type { Loaders } from './loaders.ts';

/** Per request: who is asking (null only while the auth check is pending) and the services. */
export interface GraphQLContext {
  principal: Principal;
  services: Services;
  loaders: Loaders;
  /** Open subscriptions per token on this process (cap, and ending them on revocation). */
  subscriptions: TokenSubscriptions;
  /** For failures that must not change the answer (e.g. an audit event that could not be written). */
  logger: Logger;
}
