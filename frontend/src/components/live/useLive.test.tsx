import { act, render, renderHook } from "@testing-library/react";
import type { ReactNode } from "react";
import { Provider, type Client } from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { reportReconnected } from "../../lib/resumable";
import { COALESCE_MS, FALLBACK_POLL_MS, LiveContext, useLiveChannel, useLiveQuery, useOnLiveChange } from "./useLive";

const useQueryMock = vi.hoisted(() => vi.fn());
vi.mock("urql", async (original) => ({ ...(await original<typeof import("urql")>()), useQuery: useQueryMock }));

/** A client whose subscriptions the test feeds. */
function fakeClient() {
  const subscriptions: { query: unknown; variables: unknown; push: (r: unknown) => void; closed: boolean }[] = [];
  const client = {
    subscription: vi.fn((query: unknown, variables: unknown) => {
      const entry = { query, variables, push: (() => {}) as (r: unknown) => void, closed: false };
      subscriptions.push(entry);
      return {
        subscribe(onResult: (r: unknown) => void) {
          entry.push = (r) => !entry.closed && onResult(r);
          return { unsubscribe: () => void (entry.closed = true) };
        },
      };
    }),
  };
  const wrapper = ({ children }: { children: ReactNode }) => (
    <Provider value={client as unknown as Client}>{children}</Provider>
  );
  const event = (id: string) => ({ data: { modelEvents: { id, type: "version.updated" } } });
  return { client, subscriptions, wrapper, event };
}

describe("useLiveChannel", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
  });
  afterEach(() => vi.useRealTimers());

  it("follows the model's events (resumable) and tells listeners once per burst", () => {
    const { subscriptions, wrapper, event } = fakeClient();
    const heard = vi.fn();
    const { result } = renderHook(() => useLiveChannel("team", "churn"), { wrapper });
    result.current.listen(heard);
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0]!.variables).toEqual({ projectPath: "team", modelName: "churn", after: null });

    act(() => {
      for (let i = 1; i <= 5; i++) subscriptions[0]!.push(event(String(i)));
    });
    expect(heard).not.toHaveBeenCalled();
    act(() => void vi.advanceTimersByTime(COALESCE_MS));
    expect(heard).toHaveBeenCalledTimes(1);

    act(() => subscriptions[0]!.push(event("6")));
    act(() => void vi.advanceTimersByTime(COALESCE_MS));
    expect(heard).toHaveBeenCalledTimes(2);
  });

  it("follows the project without a model, and stops following on unmount", () => {
    const { subscriptions, wrapper, event } = fakeClient();
    const heard = vi.fn();
    const { result, unmount } = renderHook(() => useLiveChannel("team"), { wrapper });
    result.current.listen(heard);
    expect(subscriptions[0]!.variables).toEqual({ projectPath: "team", after: null });
    unmount();
    expect(subscriptions[0]!.closed).toBe(true);
    subscriptions[0]!.push(event("1"));
    vi.advanceTimersByTime(COALESCE_MS);
    expect(heard).not.toHaveBeenCalled();
  });

  it("refreshes once when the websocket reconnects", () => {
    const { wrapper } = fakeClient();
    const heard = vi.fn();
    const { result } = renderHook(() => useLiveChannel("team", "churn"), { wrapper });
    result.current.listen(heard);
    act(() => {
      reportReconnected();
      reportReconnected();
    });
    act(() => void vi.advanceTimersByTime(COALESCE_MS));
    expect(heard).toHaveBeenCalledTimes(1);
  });

  it("polls slowly only after the subscription failed", () => {
    const { subscriptions, wrapper } = fakeClient();
    const heard = vi.fn();
    const { result } = renderHook(() => useLiveChannel("team", "churn"), { wrapper });
    result.current.listen(heard);
    act(() => void vi.advanceTimersByTime(FALLBACK_POLL_MS * 2));
    expect(heard).not.toHaveBeenCalled();

    act(() => subscriptions[0]!.push({ error: new Error("NOT_FOUND") }));
    act(() => void vi.advanceTimersByTime(FALLBACK_POLL_MS * 2));
    expect(heard).toHaveBeenCalledTimes(2);
  });
});

describe("useLiveQuery", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("fetches its query again from the network on a change of the page, unless paused", () => {
    const { subscriptions, wrapper, event } = fakeClient();
    const reexecute = vi.fn();
    useQueryMock.mockReturnValue([{ data: null, fetching: false, stale: false }, reexecute]);
    function Page({ pause }: { pause: boolean }) {
      const live = useLiveChannel("team", "churn");
      return (
        <LiveContext value={live}>
          <Section pause={pause} />
        </LiveContext>
      );
    }
    function Section({ pause }: { pause: boolean }) {
      useLiveQuery({ query: "query Q { a }", pause });
      return null;
    }
    const view = render(<Page pause={false} />, { wrapper });
    act(() => subscriptions[0]!.push(event("1")));
    act(() => void vi.advanceTimersByTime(COALESCE_MS));
    expect(reexecute).toHaveBeenCalledTimes(1);
    expect(reexecute).toHaveBeenCalledWith({ requestPolicy: "network-only" });

    view.rerender(<Page pause />);
    act(() => subscriptions[0]!.push(event("2")));
    act(() => void vi.advanceTimersByTime(COALESCE_MS));
    expect(reexecute).toHaveBeenCalledTimes(1);
    expect(subscriptions).toHaveLength(1); // one subscription for the page, across renders
  });

  it("calls the latest callback of useOnLiveChange and nothing outside a live page", () => {
    const { subscriptions, wrapper, event } = fakeClient();
    const first = vi.fn();
    const second = vi.fn();
    const { result } = renderHook(() => useLiveChannel("team", "churn"), { wrapper });
    const channel = result.current;
    const listener = renderHook(({ fn }) => useOnLiveChange(fn, channel), { initialProps: { fn: first } });
    listener.rerender({ fn: second });
    act(() => subscriptions[0]!.push(event("1")));
    act(() => void vi.advanceTimersByTime(COALESCE_MS));
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);

    const outside = vi.fn();
    renderHook(() => useOnLiveChange(outside));
    act(() => subscriptions[0]!.push(event("2")));
    act(() => void vi.advanceTimersByTime(COALESCE_MS));
    expect(outside).not.toHaveBeenCalled();
  });
});
