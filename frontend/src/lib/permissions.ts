import type { Ability, Role, Stage } from "../gql/graphql";

/**
 * What the server says the viewer may do (`viewerPermissions`, `transitionTargets`), turned into
 * what a control shows. The browser never decides a permission itself: it only looks answers up.
 */
export interface PermissionLike {
  ability: Ability;
  allowed: boolean;
  reason?: string | null;
}

/** Whether a control is usable, and if not, the sentence to show with it. */
export interface Verdict {
  allowed: boolean;
  reason: string | null;
}

export const ALLOWED: Verdict = { allowed: true, reason: null };

/** The server's answer for `ability`; one it did not give counts as not allowed. */
export function permissionFor(permissions: readonly PermissionLike[] | null | undefined, ability: Ability): Verdict {
  const found = permissions?.find((p) => p.ability === ability);
  if (!found) return { allowed: false, reason: "Reload the page to see whether you may do this." };
  if (found.allowed) return ALLOWED;
  return { allowed: false, reason: found.reason || "You may not do this here." };
}

export interface TransitionTargetLike {
  stage: Stage;
  transition: { allowed: boolean; reason?: string | null; requiredRole?: Role | null };
  request: { allowed: boolean; reason?: string | null };
}

export type TransitionMode = "transition" | "request";

export interface TransitionChoice {
  stage: Stage;
  /** Move it directly, ask for it, or neither. */
  mode: TransitionMode | null;
  /** Why not directly (for a request), or why not at all. */
  reason: string | null;
  /** For a request: the lowest role that could move it there directly (and so approve it), if known. */
  approverRole?: Role | null;
}

/** For each target stage: transition where allowed, else request where allowed, else nothing. */
export function transitionChoices(targets: readonly TransitionTargetLike[]): TransitionChoice[] {
  return targets.map((t) => {
    if (t.transition.allowed) return { stage: t.stage, mode: "transition", reason: null };
    if (t.request.allowed) {
      return {
        stage: t.stage,
        mode: "request",
        reason: t.transition.reason ?? null,
        approverRole: t.transition.requiredRole ?? null,
      };
    }
    return {
      stage: t.stage,
      mode: null,
      reason: t.request.reason || t.transition.reason || "You may not move this version there.",
    };
  });
}

/** The stage a new dialog starts on: `preferred` when it is offered, else the first one offered. */
export function defaultTarget(choices: readonly TransitionChoice[], preferred: Stage = "PRODUCTION"): Stage | null {
  const offered = choices.filter((c) => c.mode !== null);
  return (offered.find((c) => c.stage === preferred) ?? offered[0])?.stage ?? null;
}

/**
 * The stage button: "Change stage" when the viewer may move the version somewhere directly,
 * "Request transition" when they may only ask; otherwise disabled with the reason.
 */
export function stageButton(choices: readonly TransitionChoice[]): { label: string; verdict: Verdict } {
  if (choices.some((c) => c.mode === "transition")) return { label: "Change stage", verdict: ALLOWED };
  if (choices.some((c) => c.mode === "request")) return { label: "Request transition", verdict: ALLOWED };
  return {
    label: "Request transition",
    verdict: { allowed: false, reason: choices[0]?.reason ?? "There is no other stage to move this version to." },
  };
}
