import { Client, cacheExchange, fetchExchange } from "urql";

export function createClient(url = "/graphql"): Client {
  return new Client({
    url,
    exchanges: [cacheExchange, fetchExchange],
    // Mutations invalidate cached queries by typename; lists refetch from the network.
    requestPolicy: "cache-and-network",
  });
}
