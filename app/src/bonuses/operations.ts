import { graphql } from '../gql/index.js';

export const BONUSES = graphql(`
  query Bonuses($first: Int!, $after: String) {
    bonusTemplates(activeOnly: true) {
      id
      code
      name
      type
      currency
      amount
      percent
      maxAmount
      turnoverMultiplier
      validForDays
      claimable
    }
    myBonuses(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          templateCode
          type
          currency
          amount
          turnoverRequired
          turnoverProgress
          status
          expiresAt
          createdAt
          resolvedAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const CLAIM_BONUS = graphql(`
  mutation ClaimBonus($templateCode: String!, $idempotencyKey: String!) {
    claimBonus(templateCode: $templateCode, idempotencyKey: $idempotencyKey) {
      id
      status
      amount
      currency
    }
  }
`);
