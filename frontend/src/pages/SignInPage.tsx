import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { Navigate, useSearchParams } from "react-router";
import { useMutation } from "urql";

import { SubmitForm } from "../components/FormModal";
import { mutationErrors } from "../components/mutations";
import { useSession } from "../components/Session";
import { LoginMutation } from "../graphql/account";
import { splitErrors, type UserError } from "../lib/errors";
import { safeNext } from "../urls";

/** `/sign-in?next=/projects/x`: username and password, then back to where the user was. */
export default function SignInPage() {
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const { user, restart } = useSession();
  const [, login] = useMutation(LoginMutation);
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<UserError[]>([]);
  const [busy, setBusy] = useState(false);

  // Signed in (now, or already): go where the user was headed.
  if (user) return <Navigate to={next} replace />;

  const split = splitErrors(errors, ["username"]);
  const submit = async () => {
    setBusy(true);
    const result = await login({ input: { username: username.trim(), password } });
    const found = mutationErrors(result, (d) => d.login);
    if (found.length > 0 || !result.data?.login.user) {
      setBusy(false);
      setErrors(found);
      setPassword("");
      return;
    }
    // A fresh client: nothing cached from before signing in; then the header and the page follow.
    await restart();
  };

  return (
    <Center pt="xl">
      <Paper withBorder p="xl" radius="md" w={420} maw="100%">
        <SubmitForm onSubmit={submit}>
          <Stack>
            <div>
              <Title order={1}>Sign in</Title>
              <Text c="dimmed" size="sm">
                {next === "/" ? "To the model registry." : "To continue where you were."}
              </Text>
            </div>
            <TextInput
              label="Username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
              value={username}
              onChange={(e) => setUsername(e.currentTarget.value)}
              error={split.fields.username}
              data-autofocus
              autoFocus
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            {split.general.length > 0 && (
              <Alert color="red" role="alert" title="Not signed in">
                {split.general.join(" ")}
              </Alert>
            )}
            <Button type="submit" loading={busy} fullWidth>
              Sign in
            </Button>
            <Text size="xs" c="dimmed">
              No account yet? An administrator of this registry creates accounts. Scripts and tools
              use a personal access token instead of a password; create one under Access tokens
              once signed in.
            </Text>
          </Stack>
        </SubmitForm>
      </Paper>
    </Center>
  );
}
