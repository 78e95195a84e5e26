import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import type { UserError } from "../lib/errors";
import { useFormSubmit } from "./useFormSubmit";

describe("useFormSubmit", () => {
  it("is busy while sending, then keeps the refusals split by the form's fields", async () => {
    const { result } = renderHook(() => useFormSubmit(["name"]));
    let answer: (errors: UserError[]) => void = () => {};
    let outcome: Promise<boolean> = Promise.resolve(true);
    act(() => {
      outcome = result.current.submit(() => new Promise((resolve) => (answer = resolve)));
    });
    expect(result.current.busy).toBe(true);
    await act(async () => {
      answer([
        { code: "ALREADY_EXISTS", field: "name", message: "Taken." },
        { code: "CONFLICT", field: null, message: "Changed meanwhile." },
      ]);
      expect(await outcome).toBe(false);
    });
    expect(result.current.busy).toBe(false);
    expect(result.current.split).toEqual({ fields: { name: "Taken." }, general: ["Changed meanwhile."] });
  });

  it("says it worked and clears earlier refusals when nothing was refused", async () => {
    const { result } = renderHook(() => useFormSubmit(["name"]));
    act(() => result.current.setErrors([{ code: "INVALID_ARGUMENT", field: "name", message: "Empty." }]));
    expect(result.current.split.fields.name).toBe("Empty.");
    let ok = false;
    await act(async () => {
      ok = await result.current.submit(async () => []);
    });
    expect(ok).toBe(true);
    expect(result.current.errors).toEqual([]);
  });

  it("is no longer busy when sending throws", async () => {
    const { result } = renderHook(() => useFormSubmit([]));
    await act(async () => {
      await expect(result.current.submit(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    });
    expect(result.current.busy).toBe(false);
  });
});
