import { createClient as createWsClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from "urql";

import { authProblemOf, payloadAuthProblem, type AuthProblem } from "../lib/auth";
import { csrfHeaders } from "../lib/csrf";
import { reportReconnected, resumable } from "../lib/resumable";

function websocketUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}${path}`;
}

export interface ApiClient {
  client: Client;
  /** Closes the websocket; the client is not used again. */
  dispose: () => void;
}

/**
 * The API client of one sign-in: a new one is made when the viewer signs in or out, so no cached
 * answer and no websocket (authenticated by the cookie when it connects) outlives the session.
 */
export function createClient({
  url = "/graphql",
  onAuthProblem,
}: { url?: string; onAuthProblem?: (problem: AuthProblem) => void } = {}): ApiClient {
  // Subscriptions (live pages) speak graphql-transport-ws on the same path; connected lazily.
  const ws = createWsClient({
    url: websocketUrl(url),
    lazy: true,
    retryAttempts: Infinity,
    // Live pages refetch what they show once the connection is back (events may have been missed).
    on: { connected: (_socket, _payload, wasRetry) => void (wasRetry && reportReconnected()) },
  });
  const client = new Client({
    url,
    exchanges: [
      cacheExchange,
      mapExchange({
        onResult(result) {
          const problem =
            authProblemOf(result.error) ??
            (result.operation.kind === "mutation" ? payloadAuthProblem(result.data) : null);
          if (problem) onAuthProblem?.(problem);
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              // Re-sent on reconnect asking for the events after the last one received.
              const resumed = resumable(input, sink);
              const unsubscribe = ws.subscribe(resumed.payload as typeof input, resumed.sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
    // The session cookie goes along by itself (same origin); the CSRF token must be echoed in a
    // header on every POST, read afresh each time.
    fetchOptions: () => ({ credentials: "same-origin", headers: csrfHeaders() }),
    // Mutations invalidate cached queries by typename; lists refetch from the network.
    requestPolicy: "cache-and-network",
  });
  return { client, dispose: () => void ws.dispose() };
}
