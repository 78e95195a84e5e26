import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";

import { urls } from "../urls";
import { useSession } from "./Session";

/** Pages about one's own account: anonymous visitors go to the sign-in page and come back. */
export function RequireSignIn({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const location = useLocation();
  if (!user) return <Navigate to={urls.signIn(location.pathname + location.search)} replace />;
  return <>{children}</>;
}
