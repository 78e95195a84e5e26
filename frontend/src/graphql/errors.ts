import { graphql } from "../gql";

/**
 * The fields of a refusal every mutation payload carries (`errors`): each mutation document spreads
 * this fragment, so the web app's `UserError` is one shape, typed by the server's `ErrorCode` enum.
 */
export const UserErrorFields = graphql(`
  fragment UserErrorFields on UserError {
    code
    field
    message
  }
`);
