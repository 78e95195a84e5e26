import { MantineProvider, TextInput } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import { FormModal, SubmitForm } from "./FormModal";

function renderModal(props: Partial<Parameters<typeof FormModal>[0]> = {}) {
  const onClose = vi.fn();
  const onSubmit = vi.fn();
  render(
    <MantineProvider>
      <FormModal
        onClose={onClose}
        title="Rename churn"
        onSubmit={onSubmit}
        errors={[]}
        submitLabel="Rename"
        {...props}
      >
        <TextInput label="New name" defaultValue="churn" />
      </FormModal>
    </MantineProvider>,
  );
  return { onClose, onSubmit };
}

describe("FormModal", () => {
  it("shows the title, the fields and the buttons", async () => {
    renderModal();
    const dialog = await screen.findByRole("dialog");
    expect(dialog.textContent).toContain("Rename churn");
    expect(screen.getByLabelText("New name")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Cancel" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Rename" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Close" })).toBeTruthy();
  });

  it("submits from the button and from Enter in a field, without reloading", async () => {
    const { onSubmit } = renderModal();
    fireEvent.click(await screen.findByRole("button", { name: "Rename" }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    const submitted = fireEvent.submit(screen.getByLabelText("New name"));
    expect(submitted).toBe(false); // the browser's submit was prevented
    expect(onSubmit).toHaveBeenCalledTimes(2);
  });

  it("closes from Cancel without submitting", async () => {
    const { onClose, onSubmit } = renderModal();
    fireEvent.click(await screen.findByRole("button", { name: "Cancel" }));
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it("shows the messages that concern no field above the buttons", async () => {
    renderModal({ errors: ["The model changed meanwhile.", "Try again."] });
    const alerts = await screen.findAllByRole("alert");
    expect(alerts.map((a) => a.textContent)).toEqual(["The model changed meanwhile.", "Try again."]);
  });

  it("disables the submit button when asked", async () => {
    renderModal({ submitDisabled: true });
    const button = (await screen.findByRole("button", { name: "Rename" })) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
  });

  it("marks the submit button loading while submitting", async () => {
    renderModal({ submitting: true });
    const button = await screen.findByRole("button", { name: "Rename" });
    expect(button.getAttribute("data-loading")).toBe("true");
  });

  it("is not shown when closed", () => {
    renderModal({ opened: false });
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

describe("SubmitForm", () => {
  it("runs onSubmit instead of the browser's submit", () => {
    const onSubmit = vi.fn();
    render(
      <SubmitForm onSubmit={onSubmit}>
        <input aria-label="Alias" />
      </SubmitForm>,
    );
    expect(fireEvent.submit(screen.getByLabelText("Alias"))).toBe(false);
    expect(onSubmit).toHaveBeenCalledTimes(1);
  });
});
