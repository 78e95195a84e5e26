import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { createClient } from "../graphql/client";
import { LiveModelEventsSubscription } from "../graphql/live";
import { eventIdOf, onReconnect, resumable } from "./resumable";

interface Message {
  id?: string;
  type: string;
  payload?: { variables?: Record<string, unknown>; data?: unknown };
}

/** A websocket speaking graphql-transport-ws the way the server does, driven by the test. */
class FakeSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static instances: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  protocol = "graphql-transport-ws";
  sent: Message[] = [];
  onopen: (() => void) | null = null;
  onclose: ((e: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;

  constructor(public url: string) {
    FakeSocket.instances.push(this);
    setTimeout(() => {
      this.readyState = FakeSocket.OPEN;
      this.onopen?.();
    }, 0);
  }
  send(data: string) {
    const message = JSON.parse(data) as Message;
    this.sent.push(message);
    if (message.type === "connection_init") setTimeout(() => this.receive({ type: "connection_ack" }), 0);
  }
  receive(message: Message) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  subscribes() {
    return this.sent.filter((m) => m.type === "subscribe");
  }
  /** The connection drops (abnormal closure: graphql-ws reconnects). */
  drop() {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.({ code: 1006, reason: "", wasClean: false });
  }
  close() {
    this.readyState = FakeSocket.CLOSED;
  }
}

describe("eventIdOf", () => {
  it("reads the id of the one root field", () => {
    expect(eventIdOf({ data: { modelEvents: { id: "RXZlbnQ6Nw==", type: "x" } } })).toBe("RXZlbnQ6Nw==");
    expect(eventIdOf({ data: { a: { id: "1" }, b: { id: "2" } } })).toBeNull();
    expect(eventIdOf({ errors: [] })).toBeNull();
    expect(eventIdOf(null)).toBeNull();
  });
});

describe("resumable", () => {
  it("leaves a payload without an after variable alone, and copies the caller's variables", () => {
    const sink = { next: vi.fn(), error: vi.fn(), complete: vi.fn() };
    const variables = { projectPath: "p", after: null };
    const plain = resumable({ query: "q", variables: { projectPath: "p" } }, sink);
    plain.sink.next({ data: { modelEvents: { id: "5" } } });
    expect(plain.payload.variables).toEqual({ projectPath: "p" });

    const resumed = resumable({ query: "q", variables }, sink);
    resumed.sink.next({ data: { modelEvents: { id: "5" } } });
    expect(resumed.payload.variables).toEqual({ projectPath: "p", after: "5" });
    expect(variables.after).toBeNull();
    expect(sink.next).toHaveBeenCalledTimes(2);
  });
});

describe("the API client's subscriptions", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.instances = [];
    vi.stubGlobal("WebSocket", FakeSocket);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("resume after the last event received when the websocket reconnects, and report the reconnect", async () => {
    const { client, dispose } = createClient();
    const reconnected = vi.fn();
    const stop = onReconnect(reconnected);
    const received: string[] = [];
    const variables = { projectPath: "team", modelName: "churn", after: null };
    const subscription = client
      .subscription(LiveModelEventsSubscription, variables)
      .subscribe((r) => r.data && received.push(r.data.modelEvents.id));
    try {
      await vi.advanceTimersByTimeAsync(10);

      const first = FakeSocket.instances[0]!;
      const subscribe = first.subscribes()[0]!;
      expect(subscribe.payload?.variables).toMatchObject({ modelName: "churn", after: null });
      for (const id of ["RXZlbnQ6MQ==", "RXZlbnQ6Mg=="]) {
        first.receive({ id: subscribe.id, type: "next", payload: { data: { modelEvents: { id, type: "version.created" } } } });
      }
      expect(received).toEqual(["RXZlbnQ6MQ==", "RXZlbnQ6Mg=="]);
      expect(reconnected).not.toHaveBeenCalled();

      first.drop();
      await vi.advanceTimersByTimeAsync(10_000); // graphql-ws waits before retrying
      const second = FakeSocket.instances[1]!;
      expect(second).toBeDefined();
      expect(second.subscribes()).toHaveLength(1);
      // The same subscription asks for what happened while it was away.
      expect(second.subscribes()[0]!.payload?.variables).toMatchObject({ modelName: "churn", after: "RXZlbnQ6Mg==" });
      expect(reconnected).toHaveBeenCalledTimes(1);
    } finally {
      // Stops graphql-ws retrying even when an expectation failed.
      subscription.unsubscribe();
      stop();
      dispose();
    }
  });
});
