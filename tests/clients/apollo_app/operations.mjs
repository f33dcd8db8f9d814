// The operations a small app built with Apollo Client ships. `@apollo/generate-persisted-query-manifest`
// reads them from this file (as from an app's sources) and writes its persisted query manifest.
import { gql } from "@apollo/client";

export const ME = gql`
  query Me {
    me {
      username
      firstName
    }
  }
`;

export const USERS = gql`
  query Users($first: Int) {
    users(first: $first) {
      totalCount
      edges {
        node {
          ...UserName
        }
      }
    }
  }
  fragment UserName on User {
    username
  }
`;

export const RENAME = gql`
  mutation Rename($input: UpdateMeInput!) {
    updateMe(input: $input) {
      user {
        firstName
      }
      errors {
        field
        message
      }
    }
  }
`;
