import type { SubgraphContext } from 'core-service';
import type { BonusDeps } from '../awards/bonus-deps.js';

/** Per request: the gateway's vouched-for caller plus the service's dependencies. */
export type BonusContext = SubgraphContext & { bonus: BonusDeps };
