import { Button, Group, Modal, Text } from "@mantine/core";
import { useCallback, useEffect, useRef } from "react";
import { useBlocker } from "react-router";

/*
 * Half-edited text (a model card, a version description, a comment) is lost when one leaves the
 * page. Editors say whether they hold unsaved text with `useUnsavedChanges`; the one
 * `UnsavedChangesGuard` in the layout then asks before an in-app navigation to another page, and
 * the browser asks before the tab is closed or reloaded.
 */

const dirtyEditors = new Set<object>();

export function hasUnsavedChanges(): boolean {
  return dirtyEditors.size > 0;
}

/**
 * Marks the calling component's text as unsaved while `dirty`. Returns `release`, to call right
 * before navigating away on purpose (after saving), when the state has not re-rendered yet.
 */
export function useUnsavedChanges(dirty: boolean): () => void {
  const owner = useRef<object>({});
  useEffect(() => {
    if (!dirty) return;
    const me = owner.current;
    dirtyEditors.add(me);
    return () => {
      dirtyEditors.delete(me);
    };
  }, [dirty]);
  return useCallback(() => {
    dirtyEditors.delete(owner.current);
  }, []);
}

export function UnsavedChangesGuard() {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      hasUnsavedChanges() && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (!hasUnsavedChanges()) return;
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);
  const blocked = blocker.state === "blocked";
  return (
    <Modal opened={blocked} onClose={() => blocker.reset?.()} title="Discard your changes?" centered>
      <Text size="sm">You have text you have not saved. Leaving this page discards it.</Text>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={() => blocker.reset?.()} data-autofocus>
          Keep editing
        </Button>
        <Button
          color="red"
          onClick={() => {
            dirtyEditors.clear();
            blocker.proceed?.();
          }}
        >
          Discard changes
        </Button>
      </Group>
    </Modal>
  );
}
