import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { LoginMutation, ViewerQuery } from "./account";
import { createClient } from "./client";
import { CreateModelMutation } from "./models";

function answer(body: unknown, status = 200) {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

const fetchMock = vi.fn<typeof fetch>();

beforeEach(() => {
  fetchMock.mockReset();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => {
  vi.unstubAllGlobals();
  document.cookie = "modelreg_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
});

function sentHeaders(call = 0): Headers {
  const init = fetchMock.mock.calls[call]?.[1];
  return new Headers(init?.headers);
}

describe("createClient", () => {
  it("sends the CSRF cookie as X-CSRF-Token with each request, read afresh", async () => {
    const { client, dispose } = createClient({ url: "http://localhost/graphql" });
    fetchMock.mockImplementation(async () => answer({ data: { viewer: { user: null, tokenScopes: null } } }));

    await client.query(ViewerQuery, {}, { requestPolicy: "network-only" }).toPromise();
    expect(sentHeaders(0).has("X-CSRF-Token")).toBe(false);

    document.cookie = "modelreg_csrf=first; path=/";
    await client.query(ViewerQuery, {}, { requestPolicy: "network-only" }).toPromise();
    expect(sentHeaders(1).get("X-CSRF-Token")).toBe("first");
    expect(fetchMock.mock.calls[1]?.[1]?.credentials).toBe("same-origin");

    document.cookie = "modelreg_csrf=second; path=/";
    await client.query(ViewerQuery, {}, { requestPolicy: "network-only" }).toPromise();
    expect(sentHeaders(2).get("X-CSRF-Token")).toBe("second");
    dispose();
  });

  it("reports a 401 and a 403 (CSRF) answer", async () => {
    const onAuthProblem = vi.fn();
    const { client, dispose } = createClient({ url: "http://localhost/graphql", onAuthProblem });
    const refusal = (code: string) => ({ errors: [{ message: "no", extensions: { code } }] });
    fetchMock.mockResolvedValueOnce(answer(refusal("UNAUTHENTICATED"), 401));
    await client.query(ViewerQuery, {}, { requestPolicy: "network-only" }).toPromise();
    expect(onAuthProblem).toHaveBeenLastCalledWith("signed-out");

    fetchMock.mockResolvedValueOnce(answer(refusal("PERMISSION_DENIED"), 403));
    await client.query(ViewerQuery, {}, { requestPolicy: "network-only" }).toPromise();
    expect(onAuthProblem).toHaveBeenLastCalledWith("csrf");
    dispose();
  });

  it("reports UNAUTHENTICATED from a mutation, but not a refused sign-in", async () => {
    const onAuthProblem = vi.fn();
    const { client, dispose } = createClient({ url: "http://localhost/graphql", onAuthProblem });
    const errors = [{ code: "UNAUTHENTICATED", field: "password", message: "Wrong username or password." }];
    fetchMock.mockResolvedValueOnce(answer({ data: { login: { user: null, errors } } }));
    await client.mutation(LoginMutation, { input: { username: "a", password: "b" } }).toPromise();
    expect(onAuthProblem).not.toHaveBeenCalled();

    fetchMock.mockResolvedValueOnce(
      answer({ data: { createModel: { model: null, errors: [{ code: "UNAUTHENTICATED", field: null, message: "Sign in to edit." }] } } }),
    );
    await client.mutation(CreateModelMutation, { input: { projectId: "p", name: "m" } }).toPromise();
    expect(onAuthProblem).toHaveBeenCalledWith("signed-out");
    dispose();
  });
});
