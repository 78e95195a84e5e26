import { notifications } from "@mantine/notifications";
import type { OperationResult } from "urql";

import { errorCodeOf, type UserError } from "../lib/errors";

interface Payload {
  errors: readonly UserError[];
}

/**
 * The outcome of a mutation as a list of errors: typed API errors, or one general error when the
 * request itself failed (UNAVAILABLE when the server could not be reached, else the code the
 * server sent with its first GraphQL error, INTERNAL when it sent none we know). Empty means it
 * worked.
 */
export function mutationErrors<D>(
  result: OperationResult<D>,
  pick: (data: D) => Payload | null | undefined,
): UserError[] {
  if (result.error) {
    if (result.error.networkError) {
      const message = "The registry server cannot be reached. Check that it is running and try again.";
      return [{ code: "UNAVAILABLE", field: null, message }];
    }
    const errors = result.error.graphQLErrors;
    const message = errors.map((e) => e.message).join(" ");
    return [{ code: errorCodeOf(errors[0]?.extensions.code), field: null, message }];
  }
  const payload = result.data ? pick(result.data) : null;
  return payload ? [...payload.errors] : [];
}

export function notifyDone(message: string) {
  notifications.show({ color: "green", message });
}

export function notifyErrors(errors: readonly UserError[]) {
  for (const error of errors) notifications.show({ color: "red", title: "Not done", message: error.message });
}
