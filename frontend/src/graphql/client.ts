import { createClient as createWsClient } from "graphql-ws";
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from "urql";

function websocketUrl(path: string): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}${path}`;
}

export function createClient(url = "/graphql"): Client {
  // Subscriptions (live pages) speak graphql-transport-ws on the same path; connected lazily.
  const ws = createWsClient({ url: websocketUrl(url), lazy: true, retryAttempts: Infinity });
  return new Client({
    url,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
    // Mutations invalidate cached queries by typename; lists refetch from the network.
    requestPolicy: "cache-and-network",
  });
}
