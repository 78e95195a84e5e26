import { afterEach, describe, expect, it } from "vitest";

import { CSRF_HEADER, csrfHeaders, readCookie } from "./csrf";

describe("readCookie", () => {
  it("finds a cookie among others, trimmed and decoded", () => {
    expect(readCookie("a=1; modelreg_csrf=abc%2Fdef; b=2", "modelreg_csrf")).toBe("abc/def");
    expect(readCookie('modelreg_csrf="quoted"', "modelreg_csrf")).toBe("quoted");
  });

  it("does not confuse names that share a prefix or suffix", () => {
    expect(readCookie("xmodelreg_csrf=no; modelreg_csrf_old=no", "modelreg_csrf")).toBeNull();
    expect(readCookie("", "modelreg_csrf")).toBeNull();
    expect(readCookie("garbage", "modelreg_csrf")).toBeNull();
  });

  it("keeps a value that is not valid percent-encoding", () => {
    expect(readCookie("modelreg_csrf=100%", "modelreg_csrf")).toBe("100%");
  });
});

describe("csrfHeaders", () => {
  afterEach(() => {
    document.cookie = "modelreg_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
  });

  it("sends the header only when the cookie is there", () => {
    expect(csrfHeaders("other=1")).toEqual({});
    expect(csrfHeaders("modelreg_csrf=tok")).toEqual({ [CSRF_HEADER]: "tok" });
  });

  it("reads document.cookie at each call", () => {
    expect(csrfHeaders()).toEqual({});
    document.cookie = "modelreg_csrf=first; path=/";
    expect(csrfHeaders()).toEqual({ "X-CSRF-Token": "first" });
    document.cookie = "modelreg_csrf=second; path=/";
    expect(csrfHeaders()).toEqual({ "X-CSRF-Token": "second" });
  });
});
