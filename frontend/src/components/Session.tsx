import { Anchor, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { Provider as UrqlProvider } from "urql";

import { ViewerQuery } from "../graphql/account";
import { type ApiClient, createClient } from "../graphql/client";
import { authProblemMessage, type AuthProblem } from "../lib/auth";
import { urls } from "../urls";

export interface ViewerUser {
  id: string;
  username: string;
  displayName: string;
  isAdmin: boolean;
}

export interface Session {
  /** The signed-in user; null when anonymous (or not known yet). */
  user: ViewerUser | null;
  /** False until the server first said who is signed in. */
  known: boolean;
  /**
   * Start afresh after signing in or out: a new API client (no cached answers, a new websocket)
   * and the viewer asked again. Resolves once the header knows the new viewer.
   */
  restart: () => Promise<void>;
}

/** Exported for tests, which provide a session of their own. */
export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() outside <SessionProvider>");
  return session;
}

/** The signed-in user, or null. */
export function useViewer(): ViewerUser | null {
  return useSession().user;
}

/** The API client reports sign-in problems as this window event; the provider listens. */
const AUTH_PROBLEM_EVENT = "modelreg:auth-problem";

function announce(problem: AuthProblem) {
  window.dispatchEvent(new CustomEvent<AuthProblem>(AUTH_PROBLEM_EVENT, { detail: problem }));
}

function makeClient(): ApiClient {
  return createClient({ onAuthProblem: announce });
}

/** Provides the API client and who is signed in; tells the user once when their session ends. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [api, setApi] = useState<ApiClient>(makeClient);
  const current = useRef(api);
  const [viewer, setViewer] = useState<{ user: ViewerUser | null; known: boolean }>({ user: null, known: false });

  const loadViewer = useCallback(async (from: ApiClient) => {
    const result = await from.client.query(ViewerQuery, {}, { requestPolicy: "network-only" }).toPromise();
    if (current.current !== from) return; // signed in or out meanwhile: a newer answer counts
    setViewer({ user: result.data?.viewer.user ?? null, known: true });
  }, []);

  useEffect(() => {
    void loadViewer(current.current);
  }, [loadViewer]);

  const restart = useCallback(async () => {
    const next = makeClient();
    const previous = current.current;
    current.current = next;
    setApi(next);
    previous.dispose();
    await loadViewer(next);
  }, [loadViewer]);

  const signedIn = viewer.user !== null;
  useEffect(() => {
    const onProblem = (event: Event) => {
      const problem = (event as CustomEvent<AuthProblem>).detail;
      if (problem === "csrf") {
        notifications.show({ id: "auth-csrf", color: "red", title: "Request refused", message: authProblemMessage(problem) });
        return;
      }
      // Anonymous already: the refusal is the answer, and the page offers to sign in.
      if (!signedIn) return;
      const here = window.location.pathname + window.location.search;
      notifications.show({
        id: "auth-signed-out",
        color: "yellow",
        title: "Signed out",
        autoClose: false,
        message: (
          <Text size="sm">
            {authProblemMessage(problem)}{" "}
            <Anchor href={urls.signIn(here)} size="sm">
              Sign in
            </Anchor>
          </Text>
        ),
      });
      void restart();
    };
    window.addEventListener(AUTH_PROBLEM_EVENT, onProblem);
    return () => window.removeEventListener(AUTH_PROBLEM_EVENT, onProblem);
  }, [signedIn, restart]);

  const session = useMemo<Session>(() => ({ ...viewer, restart }), [viewer, restart]);
  return (
    <UrqlProvider value={api.client}>
      <SessionContext.Provider value={session}>{children}</SessionContext.Provider>
    </UrqlProvider>
  );
}
