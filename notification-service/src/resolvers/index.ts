import type { DeliveryDocument, NotificationDocument } from '../store/documents.js';
import { mutationResolvers } from './mutations.js';
import { queryResolvers } from './queries.js';

const id = (document: { _id: string }): string => document._id;

export const resolvers = {
  Query: queryResolvers,
  Mutation: mutationResolvers,
  Notification: { id, critical: (n: NotificationDocument) => n.critical === true },
  Delivery: { id, deliveredAt: (d: DeliveryDocument) => d.deliveredAt ?? null },
  NotificationTemplate: { id },
};
