import { describe, expect, it } from "vitest";

import { authProblemMessage, authProblemOf, payloadAuthProblem } from "./auth";

describe("authProblemOf", () => {
  it("reads the HTTP status first", () => {
    expect(authProblemOf({ response: { status: 401 }, graphQLErrors: [] })).toBe("signed-out");
    expect(authProblemOf({ response: { status: 403 }, graphQLErrors: [{ message: "CSRF" }] })).toBe("csrf");
  });

  it("recognises UNAUTHENTICATED among GraphQL errors", () => {
    expect(
      authProblemOf({
        response: { status: 200 },
        graphQLErrors: [{ message: "Sign in to look up users.", extensions: { code: "UNAUTHENTICATED" } }],
      }),
    ).toBe("signed-out");
  });

  it("leaves other failures alone", () => {
    expect(authProblemOf(null)).toBeNull();
    expect(authProblemOf({ response: { status: 500 }, graphQLErrors: [{ message: "boom" }] })).toBeNull();
    expect(authProblemOf({ graphQLErrors: [{ message: "x", extensions: { code: "NOT_FOUND" } }] })).toBeNull();
  });
});

describe("payloadAuthProblem", () => {
  it("finds UNAUTHENTICATED in a mutation payload", () => {
    expect(
      payloadAuthProblem({ createModel: { model: null, errors: [{ code: "UNAUTHENTICATED", message: "Sign in to edit." }] } }),
    ).toBe("signed-out");
  });

  it("ignores a failed sign-in, other codes and queries", () => {
    expect(payloadAuthProblem({ login: { user: null, errors: [{ code: "UNAUTHENTICATED" }] } })).toBeNull();
    expect(payloadAuthProblem({ createModel: { errors: [{ code: "PERMISSION_DENIED" }] } })).toBeNull();
    expect(payloadAuthProblem({ project: { id: "1" } })).toBeNull();
    expect(payloadAuthProblem(null)).toBeNull();
  });
});

describe("authProblemMessage", () => {
  it("says what to do", () => {
    expect(authProblemMessage("signed-out")).toMatch(/Sign in again/);
    expect(authProblemMessage("csrf")).toMatch(/Reload/);
  });
});
