import { renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { usePolling } from "./usePolling";

function setVisibility(state: "visible" | "hidden") {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  document.dispatchEvent(new Event("visibilitychange"));
}

describe("usePolling", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setVisibility("visible");
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("refreshes every interval while visible, pauses while hidden, and stops on unmount", () => {
    const refresh = vi.fn();
    const { unmount } = renderHook(() => usePolling(refresh, 3000));
    vi.advanceTimersByTime(9000);
    expect(refresh).toHaveBeenCalledTimes(3);

    setVisibility("hidden");
    vi.advanceTimersByTime(9000);
    expect(refresh).toHaveBeenCalledTimes(3);

    setVisibility("visible"); // refreshes at once on return
    expect(refresh).toHaveBeenCalledTimes(4);
    vi.advanceTimersByTime(3000);
    expect(refresh).toHaveBeenCalledTimes(5);

    unmount();
    vi.advanceTimersByTime(9000);
    expect(refresh).toHaveBeenCalledTimes(5);
  });

  it("does nothing when disabled", () => {
    const refresh = vi.fn();
    renderHook(() => usePolling(refresh, 1000, false));
    vi.advanceTimersByTime(5000);
    expect(refresh).not.toHaveBeenCalled();
  });
});
