import type { ErrorCode } from "../gql/graphql";

export type { ErrorCode };

/**
 * Every code of the server's `ErrorCode` enum, at run time (the generated type has no values).
 * The `satisfies` and the check below make `tsc` fail when the schema gains or loses a code.
 */
export const ERROR_CODES = [
  "ALREADY_EXISTS",
  "CONFLICT",
  "DEPLOYMENT_RECORDS_DISABLED",
  "FILE_TOO_LARGE",
  "INTERNAL",
  "INVALID_ARGUMENT",
  "METHOD_NOT_ALLOWED",
  "NOT_FOUND",
  "PERMISSION_DENIED",
  "RATE_LIMITED",
  "UNAUTHENTICATED",
  "UNAVAILABLE",
] as const satisfies readonly ErrorCode[];

type Missing = Exclude<ErrorCode, (typeof ERROR_CODES)[number]>;
const everyCodeListed: [Missing] extends [never] ? true : Missing = true;
void everyCodeListed;

/** Whether `value` is one of the server's error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** `value` when it is one of the server's error codes, else INTERNAL (an answer we cannot place). */
export function errorCodeOf(value: unknown): ErrorCode {
  return isErrorCode(value) ? value : "INTERNAL";
}

/** One refusal, in the server's vocabulary: the shape of the `UserErrorFields` fragment. */
export interface UserError {
  code: ErrorCode;
  field?: string | null;
  message: string;
}

export interface SplitErrors {
  /** Messages by input field, for the form to show next to that field. */
  fields: Record<string, string>;
  /** Messages that concern no field the form shows. */
  general: string[];
}

/** Puts each API error next to the form field it concerns; the rest become a general message. */
export function splitErrors(errors: readonly UserError[], formFields: readonly string[]): SplitErrors {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const error of errors) {
    const field = error.field ?? "";
    if (formFields.includes(field) && !(field in fields)) fields[field] = error.message;
    else general.push(error.message);
  }
  return { fields, general };
}
