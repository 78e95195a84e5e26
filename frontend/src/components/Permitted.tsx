import { Alert, Button, type ButtonProps, Text, Tooltip } from "@mantine/core";
import { type MouseEventHandler, type ReactNode, useId } from "react";
import { Link, useLocation } from "react-router";

import type { Verdict } from "../lib/permissions";
import { urls } from "../urls";
import { useSession } from "./Session";

/**
 * A button for an action the server may not allow the viewer. Allowed: an ordinary button (or a
 * link with `to`). Not allowed: disabled, with the server's reason as a tooltip and as the
 * button's accessible description. Anonymous viewers do not see it at all: pages show a
 * <SignInHint> instead, once.
 */
export function PermittedButton({
  verdict,
  to,
  onClick,
  children,
  type,
  disabled,
  ...props
}: ButtonProps & {
  verdict: Verdict;
  to?: string;
  onClick?: MouseEventHandler<HTMLButtonElement>;
  type?: "button" | "submit";
  children: ReactNode;
}) {
  const { user, known } = useSession();
  const id = useId();
  if (verdict.allowed) {
    if (to !== undefined) {
      return (
        <Button component={Link} to={to} disabled={disabled} {...props}>
          {children}
        </Button>
      );
    }
    return (
      <Button type={type ?? "button"} onClick={onClick} disabled={disabled} {...props}>
        {children}
      </Button>
    );
  }
  if (!known || !user) return null;
  // `data-disabled` instead of `disabled`: a disabled button gets no hover, so no tooltip.
  return (
    <>
      <Tooltip label={verdict.reason} multiline w={320} withArrow>
        <Button
          {...props}
          type="button"
          data-disabled
          aria-disabled="true"
          aria-describedby={`${id}-reason`}
          onClick={(event) => event.preventDefault()}
        >
          {children}
        </Button>
      </Tooltip>
      <span id={`${id}-reason`} hidden>
        {verdict.reason}
      </span>
    </>
  );
}

/** Why a group of controls is missing, for signed-in viewers; nothing for anonymous ones. */
export function NotAllowedNote({ verdict }: { verdict: Verdict }) {
  const { user } = useSession();
  if (verdict.allowed || !user) return null;
  return (
    <Text size="sm" c="dimmed" data-testid="not-allowed">
      {verdict.reason}
    </Text>
  );
}

/**
 * For anonymous viewers: what signing in would let them do, with a link that comes back here.
 * Nothing for signed-in viewers.
 */
export function SignInHint({ children, compact = false }: { children: ReactNode; compact?: boolean }) {
  const { user, known } = useSession();
  const location = useLocation();
  if (!known || user) return null;
  const link = (
    <Button component={Link} to={urls.signIn(location.pathname + location.search)} size="xs" variant="light">
      Sign in
    </Button>
  );
  if (compact) {
    return (
      <Text size="sm" c="dimmed" data-testid="sign-in-hint">
        {children}{" "}
        <Link to={urls.signIn(location.pathname + location.search)}>Sign in</Link>
      </Text>
    );
  }
  return (
    <Alert color="blue" variant="light" data-testid="sign-in-hint">
      <Text size="sm" mb="xs">
        {children}
      </Text>
      {link}
    </Alert>
  );
}
