import { graphql } from '../gql/index.js';

export const SESSION_USER_FIELDS = graphql(`
  fragment SessionUser on User {
    id
    tenantId
    email
    displayName
    roles
    referralCode
  }
`);

export const LOGIN = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      refreshToken
      expiresIn
      user {
        ...SessionUser
      }
    }
  }
`);

export const REGISTER = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      refreshToken
      expiresIn
      user {
        ...SessionUser
      }
    }
  }
`);

export const REFRESH_TOKEN = graphql(`
  mutation RefreshToken($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      accessToken
      refreshToken
      expiresIn
      user {
        ...SessionUser
      }
    }
  }
`);

export const LOGOUT = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

export const REQUEST_OTP = graphql(`
  mutation RequestOtp($input: RequestOtpInput!) {
    requestOtp(input: $input)
  }
`);

export const VERIFY_OTP = graphql(`
  mutation VerifyOtp($input: VerifyOtpInput!) {
    verifyOtp(input: $input)
  }
`);

export const ME = graphql(`
  query Me {
    me {
      ...SessionUser
      emailVerified
    }
  }
`);
