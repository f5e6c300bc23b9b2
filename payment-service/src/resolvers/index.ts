import { adminMutationResolvers, adminQueryResolvers } from './admin.js';
import { mutationResolvers } from './mutations.js';
import { queryResolvers } from './queries.js';
import { typeResolvers } from './types.js';
import { userMutationResolvers, userQueryResolvers } from './users.js';

export const resolvers = {
  Query: { ...queryResolvers, ...adminQueryResolvers, ...userQueryResolvers },
  Mutation: { ...mutationResolvers, ...adminMutationResolvers, ...userMutationResolvers },
  ...typeResolvers,
};
