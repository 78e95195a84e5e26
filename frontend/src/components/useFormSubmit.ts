import { useState } from "react";

import { splitErrors, type UserError } from "../lib/errors";

/**
 * What every form that sends a mutation keeps: the API's refusals, split into messages by the
 * form's `fields` and general ones, and whether the mutation is on its way. `submit(send)` runs
 * `send` (which answers the refusals, [] when it worked), keeps what it answered and says whether
 * it worked.
 */
export function useFormSubmit(fields: readonly string[]) {
  const [errors, setErrors] = useState<UserError[]>([]);
  const [busy, setBusy] = useState(false);
  const split = splitErrors(errors, fields);
  const submit = async (send: () => Promise<readonly UserError[]>): Promise<boolean> => {
    setBusy(true);
    try {
      const found = await send();
      setErrors([...found]);
      return found.length === 0;
    } finally {
      setBusy(false);
    }
  };
  return { errors, setErrors, split, busy, submit };
}
