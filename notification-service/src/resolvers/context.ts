import type { SubgraphContext } from 'core-service';
import type { NotificationDeps } from '../deps.js';

export type NotificationContext = SubgraphContext & { notification: NotificationDeps };
