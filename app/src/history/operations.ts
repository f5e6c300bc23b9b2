import { graphql } from '../gql/index.js';

export const TRANSACTIONS = graphql(`
  query Transactions($first: Int!, $after: String, $filter: TransactionFilter) {
    transactions(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          type
          amount
          balance
          balanceType
          currency
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const TRANSFERS = graphql(`
  query Transfers($first: Int!, $after: String, $filter: TransferFilter) {
    transfers(first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          id
          fromUserId
          toUserId
          from {
            id
            displayName
            systemAccount
          }
          to {
            id
            displayName
            systemAccount
          }
          amount
          currency
          status
          description
          createdAt
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);
