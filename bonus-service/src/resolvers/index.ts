import { mutationResolvers } from './mutations.js';
import { queryResolvers } from './queries.js';

export const resolvers = {
  Query: queryResolvers,
  Mutation: mutationResolvers,
};
