import { useCallback } from "react";
import { useSearchParams } from "react-router";

/**
 * The stack of keyset cursors of a paged list (what `CursorPager` walks), kept in the URL as
 * repeated `?after=…` parameters, so a reload, a shared link or Back returns to the same page.
 * The first entry is always null: the first page. Other parameters of the URL are kept.
 */
export function useCursorStack(param = "after"): [(string | null)[], (next: (string | null)[]) => void] {
  const [params, setParams] = useSearchParams();
  const stack: (string | null)[] = [null, ...params.getAll(param).filter((c) => c !== "")];
  const update = useCallback(
    (next: (string | null)[]) => {
      setParams((previous) => {
        const copy = new URLSearchParams(previous);
        copy.delete(param);
        for (const cursor of next.slice(1)) if (cursor) copy.append(param, cursor);
        return copy;
      });
    },
    [param, setParams],
  );
  return [stack, update];
}
