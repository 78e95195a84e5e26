import { MantineProvider } from "@mantine/core";
import { fireEvent, render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";

import { NotAllowedNote, PermittedButton, SignInHint } from "./Permitted";
import { type Session, SessionContext } from "./Session";

const rita = { id: "1", username: "rita", displayName: "Rita", isAdmin: false };

function renderAs(user: Session["user"], ui: ReactNode, path = "/projects/demo?tab=versions") {
  const session: Session = { user, known: true, restart: vi.fn() };
  return render(
    <MantineProvider>
      <MemoryRouter initialEntries={[path]}>
        <SessionContext.Provider value={session}>{ui}</SessionContext.Provider>
      </MemoryRouter>
    </MantineProvider>,
  );
}

const denied = { allowed: false, reason: "To edit you need the REPORTER role or higher in this project." };

describe("PermittedButton", () => {
  it("is an ordinary button when allowed", () => {
    const onClick = vi.fn();
    renderAs(rita, <PermittedButton verdict={{ allowed: true, reason: null }} onClick={onClick}>Create model</PermittedButton>);
    const button = screen.getByRole("button", { name: "Create model" });
    expect(button.getAttribute("aria-disabled")).toBeNull();
    fireEvent.click(button);
    expect(onClick).toHaveBeenCalledTimes(1);
  });

  it("is a link when given `to`", () => {
    renderAs(rita, <PermittedButton verdict={{ allowed: true, reason: null }} to="/x">New version</PermittedButton>);
    expect(screen.getByRole("link", { name: "New version" }).getAttribute("href")).toBe("/x");
  });

  it("is disabled with the server's reason for a signed-in viewer, and does nothing", () => {
    const onClick = vi.fn();
    renderAs(rita, <PermittedButton verdict={denied} onClick={onClick}>Create model</PermittedButton>);
    const button = screen.getByRole("button", { name: "Create model" });
    expect(button.getAttribute("aria-disabled")).toBe("true");
    const description = document.getElementById(button.getAttribute("aria-describedby") ?? "");
    expect(description?.textContent).toBe(denied.reason);
    fireEvent.click(button);
    expect(onClick).not.toHaveBeenCalled();
  });

  it("is not shown to anonymous viewers", () => {
    renderAs(null, <PermittedButton verdict={{ allowed: false, reason: "Sign in to edit." }}>Create model</PermittedButton>);
    expect(screen.queryByRole("button", { name: "Create model" })).toBeNull();
  });
});

describe("SignInHint and NotAllowedNote", () => {
  it("offer anonymous viewers to sign in and come back", () => {
    renderAs(null, <SignInHint>Sign in to edit.</SignInHint>);
    expect(screen.getByText("Sign in to edit.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe(
      "/sign-in?next=%2Fprojects%2Fdemo%3Ftab%3Dversions",
    );
  });

  it("say nothing to signed-in viewers but the reason", () => {
    renderAs(
      rita,
      <>
        <SignInHint>Sign in to edit.</SignInHint>
        <NotAllowedNote verdict={denied} />
        <NotAllowedNote verdict={{ allowed: true, reason: null }} />
      </>,
    );
    expect(screen.queryByText("Sign in to edit.")).toBeNull();
    expect(screen.getAllByTestId("not-allowed").map((e) => e.textContent)).toEqual([denied.reason]);
  });
});
