import { Anchor, AppShell, Button, Container, Group, Loader, Center, Text } from "@mantine/core";
import { Link, Outlet, useLocation } from "react-router";

import { urls } from "../urls";
import { HeaderLinks, HeaderMenu } from "./HeaderNav";
import { InboxBadge } from "./inbox/InboxBadge";
import { useSession } from "./Session";
import { UnsavedChangesGuard } from "./UnsavedChanges";
import { UserMenu } from "./UserMenu";

export function Layout() {
  const { user, known } = useSession();
  const location = useLocation();
  const onSignIn = location.pathname === "/sign-in";
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <UnsavedChangesGuard />
      <AppShell.Header>
        <Container size="xl" h="100%">
          <Group h="100%" justify="space-between" wrap="nowrap">
            <Anchor component={Link} to={urls.projects()} underline="never" c="inherit">
              <Text fw={700} size="lg">
                modelreg
              </Text>
            </Anchor>
            <Group gap="md" wrap="nowrap">
              <HeaderLinks />
              {known && user && <InboxBadge />}
              {known && user && <UserMenu user={user} />}
              {known && !user && !onSignIn && (
                <Button component={Link} to={urls.signIn(location.pathname + location.search)} size="xs">
                  Sign in
                </Button>
              )}
              <HeaderMenu />
            </Group>
          </Group>
        </Container>
      </AppShell.Header>
      <AppShell.Main>
        <Container size="xl">
          {/* Pages decide what to offer from who is signed in: wait for that first answer. */}
          {known ? (
            <Outlet />
          ) : (
            <Center py="xl">
              <Loader aria-label="Loading" />
            </Center>
          )}
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
