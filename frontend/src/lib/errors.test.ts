import { describe, expect, it } from "vitest";
import { ERROR_CODES, errorCodeOf, isErrorCode, splitErrors } from "./errors";

describe("splitErrors", () => {
  it("puts known fields next to their input and the rest in general", () => {
    const result = splitErrors(
      [
        { code: "INVALID_ARGUMENT", field: "version", message: "bad version" },
        { code: "NOT_FOUND", field: "modelId", message: "no model" },
        { code: "CONFLICT", field: null, message: "try again" },
        { code: "INVALID_ARGUMENT", field: "version", message: "second" },
      ],
      ["version", "description"],
    );
    expect(result.fields).toEqual({ version: "bad version" });
    expect(result.general).toEqual(["no model", "try again", "second"]);
  });
});

describe("the server's error codes", () => {
  it("knows each code of the schema's ErrorCode enum and nothing else", () => {
    expect(ERROR_CODES).toContain("NOT_FOUND");
    expect(ERROR_CODES).toContain("FILE_TOO_LARGE");
    expect(ERROR_CODES).toContain("UNAVAILABLE");
    expect(isErrorCode("CONFLICT")).toBe(true);
    expect(isErrorCode("REQUEST_FAILED")).toBe(false);
    expect(isErrorCode("not_found")).toBe(false);
    expect(isErrorCode(404)).toBe(false);
    expect(isErrorCode(undefined)).toBe(false);
  });

  it("places an unknown code as INTERNAL", () => {
    expect(errorCodeOf("RATE_LIMITED")).toBe("RATE_LIMITED");
    expect(errorCodeOf("HTTP_ERROR")).toBe("INTERNAL");
    expect(errorCodeOf(null)).toBe("INTERNAL");
  });
});
