import { Alert, Anchor, Center, Loader, Paper, Stack, Text, Title } from "@mantine/core";
import type { CombinedError } from "urql";
import type { ReactNode } from "react";

import { authProblemMessage, authProblemOf } from "../lib/auth";
import { urls } from "../urls";

export function Loading() {
  return (
    <Center py="xl">
      <Loader aria-label="Loading" />
    </Center>
  );
}

export function QueryError({ error }: { error: CombinedError }) {
  const problem = authProblemOf(error);
  if (problem) {
    const here = window.location.pathname + window.location.search;
    return (
      <Alert color="yellow" title={problem === "csrf" ? "Request refused" : "Signed out"}>
        {authProblemMessage(problem)}{" "}
        {problem === "signed-out" && <Anchor href={urls.signIn(here)}>Sign in</Anchor>}
      </Alert>
    );
  }
  const message = error.networkError
    ? "The registry server cannot be reached. Check that it is running, then reload."
    : error.graphQLErrors.map((e) => e.message).join(" ");
  return (
    <Alert color="red" title="Could not load this page">
      {message}
    </Alert>
  );
}

export function EmptyState({ title, children, action }: { title: string; children: ReactNode; action?: ReactNode }) {
  return (
    <Paper withBorder p="xl" radius="md">
      <Stack align="center" gap="sm">
        <Title order={4}>{title}</Title>
        <Text c="dimmed" ta="center" maw={520}>
          {children}
        </Text>
        {action}
      </Stack>
    </Paper>
  );
}

export function NotFound({ what }: { what: string }) {
  return (
    <Alert color="yellow" title={`${what} not found`}>
      It may have been renamed or deleted, or you may not have access to it.
    </Alert>
  );
}
