import { notifications } from "@mantine/notifications";
import type { OperationResult } from "urql";

import type { UserError } from "../lib/errors";

interface Payload {
  errors: readonly UserError[];
}

/**
 * The outcome of a mutation as a list of errors: typed API errors, or one general error when the
 * request itself failed. Empty means it worked.
 */
export function mutationErrors<D>(
  result: OperationResult<D>,
  pick: (data: D) => Payload | null | undefined,
): UserError[] {
  if (result.error) {
    const message = result.error.networkError
      ? "The registry server cannot be reached. Check that it is running and try again."
      : result.error.graphQLErrors.map((e) => e.message).join(" ");
    return [{ code: "REQUEST_FAILED", field: null, message }];
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
