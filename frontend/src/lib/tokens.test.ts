import { describe, expect, it } from "vitest";

import { dateInputValue, expiryInstant, scopeName, tokenFormProblems, tokenStatus } from "./tokens";

const now = new Date(2026, 10, 25, 15, 0, 0); // 25 Nov 2026, 15:00 local

describe("tokenStatus", () => {
  it("is revoked, expired or active", () => {
    expect(tokenStatus({ revokedAt: "2026-01-01T00:00:00Z", expiresAt: null }, now)).toBe("revoked");
    expect(tokenStatus({ revokedAt: null, expiresAt: "2020-01-01T00:00:00Z" }, now)).toBe("expired");
    expect(tokenStatus({ revokedAt: null, expiresAt: "2999-01-01T00:00:00Z" }, now)).toBe("active");
    expect(tokenStatus({}, now)).toBe("active");
  });
});

describe("expiryInstant", () => {
  it("is the end of the chosen day in local time", () => {
    expect(expiryInstant("2026-12-31")).toBe(new Date(2026, 11, 31, 23, 59, 59).toISOString());
  });

  it("refuses dates that do not exist", () => {
    expect(expiryInstant("2026-02-30")).toBeNull();
    expect(expiryInstant("31.12.2026")).toBeNull();
    expect(expiryInstant("")).toBeNull();
  });
});

describe("tokenFormProblems", () => {
  it("accepts a named token with a scope, with or without expiry", () => {
    expect(tokenFormProblems({ name: "ci", scopes: ["API"], expires: "" }, now)).toEqual({});
    expect(tokenFormProblems({ name: "ci", scopes: ["READ_API"], expires: dateInputValue(now) }, now)).toEqual({});
  });

  it("names each problem by the API's field", () => {
    expect(tokenFormProblems({ name: " ", scopes: [], expires: "2020-01-01" }, now)).toEqual({
      name: expect.stringMatching(/name/),
      scopes: "Choose at least one scope.",
      expiresAt: "The expiry must be in the future.",
    });
    expect(tokenFormProblems({ name: "x", scopes: ["API"], expires: "tomorrow" }, now).expiresAt).toMatch(/Choose a date/);
  });
});

describe("scopeName", () => {
  it("uses the names people type", () => {
    expect(scopeName("READ_API")).toBe("read_api");
    expect(scopeName("API")).toBe("api");
  });
});
