import { adminMutationResolvers, adminQueryResolvers } from './admin.js';
import { mutationResolvers } from './mutations.js';
import { queryResolvers } from './queries.js';
import { typeResolvers } from './types.js';

export const resolvers = {
  Query: { ...queryResolvers, ...adminQueryResolvers },
  Mutation: { ...mutationResolvers, ...adminMutationResolvers },
  ...typeResolvers,
};
