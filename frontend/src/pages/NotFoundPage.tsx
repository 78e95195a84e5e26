import { Button, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";

import { urls } from "../urls";

export default function NotFoundPage() {
  return (
    <Stack align="flex-start">
      <Title order={1}>Page not found</Title>
      <Text c="dimmed">There is nothing at this address. It may have moved, or the link is wrong.</Text>
      <Button component={Link} to={urls.projects()} variant="light">
        Go to projects
      </Button>
    </Stack>
  );
}
