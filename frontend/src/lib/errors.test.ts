import { describe, expect, it } from "vitest";
import { splitErrors } from "./errors";

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
