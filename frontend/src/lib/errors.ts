export interface UserError {
  code: string;
  field?: string | null;
  message: string;
}

export interface SplitErrors {
  /** Messages by input field, for the form to show next to that field. */
  fields: Record<string, string>;
  /** Messages that concern no field the form shows. */
  general: string[];
}

/** Puts each API error next to the form field it concerns; the rest become a general message. */
export function splitErrors(errors: readonly UserError[], formFields: readonly string[]): SplitErrors {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const error of errors) {
    const field = error.field ?? "";
    if (formFields.includes(field) && !(field in fields)) fields[field] = error.message;
    else general.push(error.message);
  }
  return { fields, general };
}
