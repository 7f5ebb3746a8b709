import type { z } from "zod";
import { MixmaskError } from "../errors.js";

/** Parses an evaluation's options, or throws one INVALID_OPTION error listing every problem with its path. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({
    path: `${what}.${issue.path.map(String).join(".")}`,
    message: issue.message,
  }));
  throw new MixmaskError({
    code: "INVALID_OPTION",
    message: `${issues.length} invalid ${what} option${issues.length > 1 ? "s" : ""}`,
    issues,
    fix: `correct the ${what} options named above (docs/EVALUATION.md lists each with its default)`,
  });
}
