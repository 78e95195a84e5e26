import { Button, Group, Modal, Stack, type ButtonProps, type ModalProps } from "@mantine/core";
import type { ReactNode } from "react";

import { ErrorLines } from "./ErrorLines";

/** A form that runs `onSubmit` instead of reloading the page (Enter in a field submits too). */
export function SubmitForm({ onSubmit, children }: { onSubmit: () => unknown; children: ReactNode }) {
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/**
 * A dialog holding one form: its fields, the messages that concern no field, then Cancel and the
 * submit button. Pages state only what differs: title, fields, what submitting does.
 */
export function FormModal({
  opened = true,
  onClose,
  title,
  size,
  onSubmit,
  errors,
  submitLabel,
  submitting = false,
  submitDisabled = false,
  submitColor,
  children,
}: {
  opened?: boolean;
  onClose: () => void;
  title: ReactNode;
  size?: ModalProps["size"];
  onSubmit: () => unknown;
  /** Messages that concern no field of the form, shown above the buttons. */
  errors: readonly string[];
  submitLabel: ReactNode;
  submitting?: boolean;
  submitDisabled?: boolean;
  submitColor?: ButtonProps["color"];
  children: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={onClose} closeButtonProps={{ "aria-label": "Close" }} title={title} size={size}>
      <SubmitForm onSubmit={onSubmit}>
        <Stack>
          {children}
          <ErrorLines messages={errors} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color={submitColor} loading={submitting} disabled={submitDisabled}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </SubmitForm>
    </Modal>
  );
}
