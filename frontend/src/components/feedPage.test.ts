import { CombinedError, type OperationResult } from "urql";
import { describe, expect, it } from "vitest";

import { feedPage, type FeedEvent } from "./ActivityFeed";

type Data = { model: { activity: { edges: { node: FeedEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } | null };
const pick = (d: Data) => d.model?.activity;
const event: FeedEvent = { id: "E1", type: "stage_changed", actor: "alice", createdAt: "2026-01-01T00:00:00Z", payload: {} };
const answer = (data: Data | undefined, error?: CombinedError) =>
  ({ data, error, stale: false, hasNext: false }) as unknown as OperationResult<Data>;

describe("feedPage", () => {
  it("takes the events and the cursor from the connection", () => {
    const data = { model: { activity: { edges: [{ node: event }], pageInfo: { hasNextPage: true, endCursor: "c1" } } } };
    expect(feedPage(answer(data), pick)).toEqual({ events: [event], hasNextPage: true, endCursor: "c1" });
  });

  it("is an empty last page when the thing is gone", () => {
    expect(feedPage(answer({ model: null }), pick)).toEqual({ events: [], hasNextPage: false, endCursor: null });
  });

  it("throws the sentence the feed shows when the query failed", () => {
    const offline = new CombinedError({ networkError: new TypeError("Failed to fetch") });
    expect(() => feedPage(answer(undefined, offline), pick)).toThrow("The registry server cannot be reached.");
    const refused = new CombinedError({ graphQLErrors: ["Model churn not found."] });
    expect(() => feedPage(answer(undefined, refused), pick)).toThrow("Model churn not found.");
  });
});
