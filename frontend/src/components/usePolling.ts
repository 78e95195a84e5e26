import { useEffect, useRef } from "react";

/**
 * Calls `refresh` every `intervalMs` while the page is visible, and once when it becomes visible
 * again. The live-update mechanism until GraphQL subscriptions land: a subscription-based hook
 * with the same signature (call `refresh` when the server reports a change) can replace it.
 */
export function usePolling(refresh: () => void, intervalMs = 3000, enabled = true) {
  const latest = useRef(refresh);
  useEffect(() => {
    latest.current = refresh;
  });
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setInterval> | undefined;
    const start = () => {
      if (timer === undefined) timer = setInterval(() => latest.current(), intervalMs);
    };
    const stop = () => {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.visibilityState === "visible") {
        latest.current();
        start();
      } else stop();
    };
    if (document.visibilityState === "visible") start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [intervalMs, enabled]);
}
