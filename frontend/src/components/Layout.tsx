import { Anchor, AppShell, Container, Group, Text } from "@mantine/core";
import { Link, Outlet } from "react-router";

import { urls } from "../urls";

export function Layout() {
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Container size="xl" h="100%">
          <Group h="100%" justify="space-between">
            <Anchor component={Link} to={urls.projects()} underline="never" c="inherit">
              <Text fw={700} size="lg">
                modelreg
              </Text>
            </Anchor>
            <Group gap="lg">
              <Anchor component={Link} to={urls.projects()}>
                Projects
              </Anchor>
              <Anchor href={urls.graphiql()} target="_blank" rel="noreferrer">
                GraphiQL
              </Anchor>
            </Group>
          </Group>
        </Container>
      </AppShell.Header>
      <AppShell.Main>
        <Container size="xl">
          <Outlet />
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
