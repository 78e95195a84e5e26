/**
 * Subscriptions that resume where they stopped. graphql-ws re-sends a subscription's payload
 * when its websocket reconnects, serialising the payload anew each time; a payload whose
 * variables declare `after` is kept up to date with the id of the last event received, so the
 * re-sent subscription asks the server for the events after it and none of the gap is lost.
 * Without an `after` variable the payload is left alone.
 */

export interface SubscriptionPayload {
  query: string;
  variables?: Record<string, unknown> | null;
  [key: string]: unknown;
}

export interface ResultSink<T> {
  next: (value: T) => void;
  error: (error: unknown) => void;
  complete: () => void;
}

/** The id of the event in a subscription result: the `id` of its one root field. */
export function eventIdOf(result: unknown): string | null {
  if (typeof result !== "object" || result === null) return null;
  const data = (result as { data?: unknown }).data;
  if (typeof data !== "object" || data === null) return null;
  const roots = Object.values(data as Record<string, unknown>);
  if (roots.length !== 1) return null;
  const root = roots[0];
  if (typeof root !== "object" || root === null) return null;
  const id = (root as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? String(id) : null;
}

/**
 * A payload of its own (variables copied) and a sink that records each received event's id as
 * the payload's `after`, for the payload's next sending.
 */
export function resumable<T>(
  payload: SubscriptionPayload,
  sink: ResultSink<T>,
): { payload: SubscriptionPayload; sink: ResultSink<T> } {
  const variables = payload.variables ? { ...payload.variables } : null;
  const own: SubscriptionPayload = { ...payload, variables };
  if (!variables || !("after" in variables)) return { payload: own, sink };
  return {
    payload: own,
    sink: {
      next(value) {
        const id = eventIdOf(value);
        if (id !== null) variables.after = id;
        sink.next(value);
      },
      error: (e) => sink.error(e),
      complete: () => sink.complete(),
    },
  };
}

type Listener = () => void;
const reconnectListeners = new Set<Listener>();

/** Calls `listener` whenever the websocket connects again after losing its connection. */
export function onReconnect(listener: Listener): () => void {
  reconnectListeners.add(listener);
  return () => void reconnectListeners.delete(listener);
}

/** Reported by the API client when its websocket is connected again (graphql-ws `wasRetry`). */
export function reportReconnected(): void {
  for (const listener of [...reconnectListeners]) listener();
}
