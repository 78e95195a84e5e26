import { Alert, Button, Container, Stack } from "@mantine/core";
import { isRouteErrorResponse, Link, useRouteError } from "react-router";

import { urls } from "../urls";

export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : "This page could not be shown. Reload, or go back to the projects.";
  return (
    <Container size="sm" mt="xl">
      <Stack>
        <Alert color="red" title="Something went wrong">
          {message}
        </Alert>
        <Button component={Link} to={urls.projects()} variant="light">
          Back to projects
        </Button>
      </Stack>
    </Container>
  );
}
