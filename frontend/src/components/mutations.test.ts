import { GraphQLError } from "graphql";
import { CombinedError, type OperationResult } from "urql";
import { describe, expect, it } from "vitest";

import type { UserError } from "../lib/errors";
import { mutationErrors } from "./mutations";

type Data = { createModel: { errors: UserError[] } };
const pick = (d: Data) => d.createModel;

function failed(error: CombinedError): OperationResult<Data> {
  return { error, data: undefined, stale: false, hasNext: false } as unknown as OperationResult<Data>;
}

describe("mutationErrors", () => {
  it("returns the payload's typed errors, and none when it worked", () => {
    const refusal: UserError = { code: "ALREADY_EXISTS", field: "name", message: "Taken." };
    const ok = { data: { createModel: { errors: [] } } } as unknown as OperationResult<Data>;
    const refused = { data: { createModel: { errors: [refusal] } } } as unknown as OperationResult<Data>;
    expect(mutationErrors(ok, pick)).toEqual([]);
    expect(mutationErrors(refused, pick)).toEqual([refusal]);
  });

  it("says UNAVAILABLE when the server cannot be reached", () => {
    const errors = mutationErrors(failed(new CombinedError({ networkError: new TypeError("Failed to fetch") })), pick);
    expect(errors).toEqual([
      {
        code: "UNAVAILABLE",
        field: null,
        message: "The registry server cannot be reached. Check that it is running and try again.",
      },
    ]);
  });

  it("keeps the code the server sent with a GraphQL error", () => {
    const graphQLErrors = [
      new GraphQLError("Sign in to edit.", { extensions: { code: "UNAUTHENTICATED" } }),
      new GraphQLError("Also this.", { extensions: { code: "NOT_FOUND" } }),
    ];
    const errors = mutationErrors(failed(new CombinedError({ graphQLErrors })), pick);
    expect(errors).toEqual([{ code: "UNAUTHENTICATED", field: null, message: "Sign in to edit. Also this." }]);
  });

  it("says INTERNAL when the server's code is missing or not one of ours", () => {
    const unknown = [new GraphQLError("Odd.", { extensions: { code: "GRAPHQL_PARSE_FAILED" } })];
    const none = [new GraphQLError("Bare.")];
    expect(mutationErrors(failed(new CombinedError({ graphQLErrors: unknown })), pick)[0]?.code).toBe("INTERNAL");
    expect(mutationErrors(failed(new CombinedError({ graphQLErrors: none })), pick)[0]?.code).toBe("INTERNAL");
  });
});
