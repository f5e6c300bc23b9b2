import { graphql } from '../gql/index.js';

export const LOOKUP_RECIPIENT = graphql(`
  query LookupRecipient($email: String!) {
    lookupRecipient(email: $email) {
      id
      displayName
    }
  }
`);

export const CREATE_TRANSFER = graphql(`
  mutation CreateTransfer($input: CreateTransferInput!) {
    createTransfer(input: $input) {
      id
      amount
      currency
      status
      description
      createdAt
    }
  }
`);

export const WITHDRAW = graphql(`
  mutation Withdraw($input: WithdrawInput!) {
    withdraw(input: $input) {
      id
      amount
      currency
      status
      createdAt
    }
  }
`);
