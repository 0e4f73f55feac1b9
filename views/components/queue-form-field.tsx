/** @jsxImportSource hono/jsx */
/** A labelled form field with its hint and, after a refused save, its error beside it (announced, and tied to the input). */
import type { Child } from "hono/jsx";

export type FieldErrors = Record<string, string>;

type FieldProps = {
  name: string;
  label: Child;
  hint?: Child;
  value?: string;
  errors: FieldErrors;
  type?: "text" | "number" | "textarea" | "select";
  options?: [string, string][];
  placeholder?: string;
  readOnly?: boolean;
  rows?: number;
  focus?: boolean;
};

/** The field a refused form should put the cursor in: the first one in the form's order that has an error. */
export function firstError(errors: FieldErrors, order: readonly string[]): string | undefined {
  return order.find((name) => errors[name] !== undefined);
}

export function FormField({ name, label, hint, value = "", errors, type = "text", options = [], placeholder, readOnly = false, rows = 4, focus = false }: FieldProps) {
  const id = `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const error = errors[name];
  const described = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  // htmx focuses an autofocus field after a swap: a refused save lands the cursor on its first error.
  const common = { id, name, "aria-invalid": error ? "true" : undefined, "aria-describedby": described, autofocus: focus || undefined };
  return (
    <div class={`field${error ? " invalid" : ""}`} data-field={name}>
      <label for={id}>{label}</label>
      {type === "textarea"
        ? <textarea {...common} rows={rows} placeholder={placeholder} readonly={readOnly || undefined}>{value}</textarea>
        : type === "select"
          ? <select {...common} disabled={readOnly || undefined}>{options.map(([v, text]) => <option value={v} selected={v === value}>{text}</option>)}</select>
          : <input {...common} type="text" inputmode={type === "number" ? "numeric" : undefined} value={value} placeholder={placeholder} readonly={readOnly || undefined} />}
      {hint && <span class="hint" id={`${id}-hint`}>{hint}</span>}
      {error && <span class="field-error" id={`${id}-error`} role="alert">{error}</span>}
    </div>
  );
}
