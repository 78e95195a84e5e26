import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  CopyButton,
  Group,
  Paper,
  PasswordInput,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Title,
  Tooltip,
  VisuallyHidden,
} from "@mantine/core";
import { modals } from "@mantine/modals";
import { IconCheck, IconCopy } from "@tabler/icons-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";

import { formatDate } from "../components/dates";
import { ErrorLines } from "../components/ErrorLines";
import { SubmitForm } from "../components/FormModal";
import { mutationErrors, notifyDone, notifyErrors } from "../components/mutations";
import { NotificationSettings } from "../components/notifications/NotificationSettings";
import { RequireSignIn } from "../components/RequireSignIn";
import { useSession } from "../components/Session";
import { EmptyState, Loading, QueryError } from "../components/States";
import type { TokenScope } from "../gql/graphql";
import {
  ChangePasswordMutation,
  CreatePersonalAccessTokenMutation,
  PersonalAccessTokensQuery,
  RevokePersonalAccessTokenMutation,
} from "../graphql/account";
import type { UserError } from "../lib/errors";
import { dateInputValue, expiryInstant, scopeName, SCOPES, tokenFormProblems, tokenStatus } from "../lib/tokens";
import { urls } from "../urls";
import { useFormSubmit } from "../components/useFormSubmit";

/** Mirrors the server's minimum password length (accounts.PASSWORD_MIN). */
export const PASSWORD_MIN_LENGTH = 12;

/** `/-/user/tokens`, `/-/user/password`, `/-/user/notifications`: the signed-in user's access
 * tokens, password and e-mail notification settings. */
export function AccountPage({ tab }: { tab: "tokens" | "password" | "notifications" }) {
  const navigate = useNavigate();
  const { user } = useSession();
  return (
    <RequireSignIn>
      <Stack maw={1100}>
        <div>
          <Title order={1}>Your account</Title>
          <Text c="dimmed">
            Signed in as{" "}
            <Text span ff="monospace" inherit>
              {user?.username}
            </Text>
            {user?.displayName ? ` (${user.displayName})` : ""}.
          </Text>
        </div>
        <Tabs
          value={tab}
          onChange={(value) =>
            navigate(
              value === "password"
                ? urls.accountPassword()
                : value === "notifications"
                  ? urls.accountNotifications()
                  : urls.accountTokens(),
            )
          }
        >
          <Tabs.List>
            <Tabs.Tab value="tokens">Access tokens</Tabs.Tab>
            <Tabs.Tab value="password">Password</Tabs.Tab>
            <Tabs.Tab value="notifications">Notifications</Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="tokens" pt="md">
            {tab === "tokens" && <TokensTab />}
          </Tabs.Panel>
          <Tabs.Panel value="password" pt="md">
            {tab === "password" && <PasswordTab />}
          </Tabs.Panel>
          <Tabs.Panel value="notifications" pt="md">
            {tab === "notifications" && <NotificationSettings />}
          </Tabs.Panel>
        </Tabs>
      </Stack>
    </RequireSignIn>
  );
}

export function TokensPage() {
  return <AccountPage tab="tokens" />;
}

export function PasswordPage() {
  return <AccountPage tab="password" />;
}

export function NotificationsPage() {
  return <AccountPage tab="notifications" />;
}

interface CreatedToken {
  name: string;
  secret: string;
}

// An empty list names no PersonalAccessToken, so tell the cache which mutations concern it.
const TOKENS_CONTEXT = { additionalTypenames: ["PersonalAccessToken"] };

function TokensTab() {
  const [{ data, fetching, error }] = useQuery({ query: PersonalAccessTokensQuery, context: TOKENS_CONTEXT });
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const tokens = data?.viewer.personalAccessTokens;
  return (
    <Stack>
      <Text size="sm" c="dimmed" maw={760}>
        Scripts, CI jobs and the modelreg command line sign in with a personal access token sent as{" "}
        <Code>Authorization: Bearer &lt;token&gt;</Code>. A token acts as you, limited to its scopes;
        revoke it when it is no longer used or may have leaked.
      </Text>
      {created ? (
        <NewTokenSecret token={created} onDone={() => setCreated(null)} />
      ) : (
        <CreateTokenForm onCreated={setCreated} />
      )}
      <Title order={4}>Your tokens</Title>
      {error && <QueryError error={error} />}
      {fetching && !tokens && <Loading />}
      {tokens && tokens.length === 0 && (
        <EmptyState title="No tokens yet">Create one above for each script or machine that uses the API.</EmptyState>
      )}
      {tokens && tokens.length > 0 && <TokenTable tokens={tokens} />}
    </Stack>
  );
}

function CreateTokenForm({ onCreated }: { onCreated: (token: CreatedToken) => void }) {
  const [, create] = useMutation(CreatePersonalAccessTokenMutation);
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<TokenScope[]>(["READ_API"]);
  const [expires, setExpires] = useState("");
  const form = useFormSubmit(["name", "scopes", "expiresAt"]);
  const split = form.split;

  const submit = async () => {
    const problems = tokenFormProblems({ name, scopes, expires });
    if (Object.keys(problems).length > 0) {
      form.setErrors(Object.entries(problems).map(([field, message]) => ({ code: "INVALID_ARGUMENT", field, message })));
      return;
    }
    let payload: { token?: { name: string } | null; secret?: string | null } | undefined;
    const ok = await form.submit(async () => {
      const result = await create({
        input: { name: name.trim(), scopes, expiresAt: expires ? expiryInstant(expires) : null },
      });
      payload = result.data?.createPersonalAccessToken;
      return mutationErrors(result, (d) => d.createPersonalAccessToken);
    });
    if (ok && payload?.token && payload.secret) {
      setName("");
      setExpires("");
      onCreated({ name: payload.token.name, secret: payload.secret });
    }
  };

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="create-token-heading">
      <SubmitForm onSubmit={submit}>
        <Stack>
          <Title order={4} id="create-token-heading">
            Create a token
          </Title>
          <TextInput
            label="Name"
            description="Where it is used, so you know which to revoke: ci-pipeline, laptop, airflow."
            placeholder="ci-pipeline"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={split.fields.name}
            maw={420}
          />
          <Checkbox.Group
            label="Scopes"
            value={scopes}
            onChange={(values) => setScopes(values as TokenScope[])}
            error={split.fields.scopes}
          >
            <Stack gap="xs" mt={6}>
              {SCOPES.map((s) => (
                <Checkbox
                  key={s.value}
                  value={s.value}
                  label={<Code>{s.name}</Code>}
                  description={s.summary}
                />
              ))}
            </Stack>
          </Checkbox.Group>
          <TextInput
            type="date"
            label="Expires on"
            description="Optional. The token stops working at the end of this day; empty: it never expires."
            min={dateInputValue(new Date())}
            value={expires}
            onChange={(e) => setExpires(e.currentTarget.value)}
            error={split.fields.expiresAt}
            maw={260}
          />
          <ErrorLines messages={split.general} />
          <Group>
            <Button type="submit" loading={form.busy}>
              Create token
            </Button>
          </Group>
        </Stack>
      </SubmitForm>
    </Paper>
  );
}

/** The secret of a new token, shown this once, with a copy button. */
function NewTokenSecret({ token, onDone }: { token: CreatedToken; onDone: () => void }) {
  return (
    <Alert color="green" title={`Token “${token.name}” created`} data-testid="new-token">
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          Copy it now: you won&apos;t see it again. The registry keeps only a hash of it.
        </Text>
        <Group gap="xs" wrap="nowrap">
          <Code block aria-label="New token" data-testid="new-token-secret" style={{ wordBreak: "break-all", flex: 1 }}>
            {token.secret}
          </Code>
          <CopyButton value={token.secret} timeout={2000}>
            {({ copied, copy }) => (
              <Tooltip label={copied ? "Copied" : "Copy token"} withArrow>
                <ActionIcon
                  variant="light"
                  color={copied ? "teal" : "gray"}
                  size="lg"
                  onClick={copy}
                  aria-label={copied ? "Copied" : "Copy token"}
                >
                  {copied ? <IconCheck size={18} /> : <IconCopy size={18} />}
                </ActionIcon>
              </Tooltip>
            )}
          </CopyButton>
        </Group>
        <Text size="sm">Use it as a bearer token, for example:</Text>
        <Code block style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
          {`curl -H "Authorization: Bearer ${token.secret}" ${window.location.origin}${urls.graphiql()} \\\n  -H 'Content-Type: application/json' -d '{"query": "{ viewer { user { username } } }"}'`}
        </Code>
        <Group>
          <Button variant="default" onClick={onDone}>
            I have copied it
          </Button>
        </Group>
      </Stack>
    </Alert>
  );
}

interface ListedToken {
  id: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  createdAt: string;
  expiresAt?: string | null;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
}

const STATUS = {
  active: { color: "green", label: "Active" },
  revoked: { color: "gray", label: "Revoked" },
  expired: { color: "orange", label: "Expired" },
} as const;

function TokenTable({ tokens }: { tokens: readonly ListedToken[] }) {
  const [, revoke] = useMutation(RevokePersonalAccessTokenMutation);
  const confirmRevoke = (token: ListedToken) =>
    modals.openConfirmModal({
      title: `Revoke token “${token.name}”?`,
      children: (
        <Text size="sm">
          Anything that uses it (starting <Code>{token.prefix}</Code>) stops working at once. It cannot be
          undone; create a new token if you need one.
        </Text>
      ),
      labels: { confirm: "Revoke token", cancel: "Keep it" },
      confirmProps: { color: "red" },
      onConfirm: async () => {
        const errors = mutationErrors(await revoke({ input: { id: token.id } }), (d) => d.revokePersonalAccessToken);
        if (errors.length) return notifyErrors(errors);
        notifyDone(`Token ${token.name} revoked.`);
      },
    });

  return (
    <Table.ScrollContainer minWidth={900}>
      <Table striped aria-label="Access tokens" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Token</Table.Th>
            <Table.Th>Scopes</Table.Th>
            <Table.Th>Created</Table.Th>
            <Table.Th>Expires</Table.Th>
            <Table.Th>Last used</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tokens.map((t) => {
            const status = tokenStatus(t);
            return (
              <Table.Tr key={t.id} data-testid="token-row" data-name={t.name}>
                <Table.Td fw={500}>{t.name}</Table.Td>
                <Table.Td>
                  <Code>{t.prefix}…</Code>
                </Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {t.scopes.map((s) => (
                      <Badge key={s} variant="outline" tt="none">
                        {scopeName(s)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>{formatDate(t.createdAt)}</Table.Td>
                <Table.Td>{t.expiresAt ? formatDate(t.expiresAt) : "Never"}</Table.Td>
                <Table.Td>{t.lastUsedAt ? formatDate(t.lastUsedAt) : "Never"}</Table.Td>
                <Table.Td>
                  <Badge color={STATUS[status].color} variant="light" tt="none">
                    {STATUS[status].label}
                    {status === "revoked" && t.revokedAt ? ` ${formatDate(t.revokedAt)}` : ""}
                  </Badge>
                </Table.Td>
                <Table.Td ta="right">
                  {status === "active" && (
                    <Button
                      size="compact-sm"
                      variant="light"
                      color="red"
                      onClick={() => confirmRevoke(t)}
                      aria-label={`Revoke token ${t.name}`}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function PasswordTab() {
  const { restart } = useSession();
  const [, change] = useMutation(ChangePasswordMutation);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  // The API names the new password `password`.
  const form = useFormSubmit(["currentPassword", "password", "repeat"]);
  const split = form.split;

  const submit = async () => {
    const problems: UserError[] = [];
    if (next.length < PASSWORD_MIN_LENGTH) {
      problems.push({
        code: "INVALID_ARGUMENT",
        field: "password",
        message: `The new password must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
      });
    }
    if (repeat !== next) {
      problems.push({ code: "INVALID_ARGUMENT", field: "repeat", message: "The two new passwords differ." });
    }
    if (problems.length > 0) return form.setErrors(problems);
    const send = async () =>
      mutationErrors(await change({ input: { currentPassword: current, newPassword: next } }), (d) => d.changePassword);
    if (await form.submit(send)) {
      notifyDone("Password changed. You were signed out everywhere: sign in with the new password.");
      // The server ended every session, this one too; the sign-in page brings the user back here.
      await restart();
    }
  };

  return (
    <Paper withBorder p="md" maw={520}>
      <SubmitForm onSubmit={submit}>
        <Stack>
          <Title order={4}>Change your password</Title>
          <Text size="sm" c="dimmed">
            This signs you out everywhere, here too. Access tokens keep working.
          </Text>
          <PasswordInput
            label="Current password"
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.currentTarget.value)}
            error={split.fields.currentPassword}
            required
          />
          <PasswordInput
            label="New password"
            description={`At least ${PASSWORD_MIN_LENGTH} characters; a phrase of a few words is easy to remember and hard to guess.`}
            autoComplete="new-password"
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            error={split.fields.password}
            required
          />
          <PasswordInput
            label="New password again"
            autoComplete="new-password"
            value={repeat}
            onChange={(e) => setRepeat(e.currentTarget.value)}
            error={split.fields.repeat}
            required
          />
          <ErrorLines messages={split.general} />
          <Group>
            <Button type="submit" loading={form.busy}>
              Change password
            </Button>
          </Group>
        </Stack>
      </SubmitForm>
    </Paper>
  );
}
