import { z } from 'zod';
import { IMPORT_MAX_BYTES } from './user-import-text.ts';

/**
 * The user import's request and report (POST /api/v2/admin/users/import),
 * shared by the server's route, the command line and the console.
 */

export const IMPORT_MODES = ['create', 'invite'] as const;
export const ON_EXISTING = ['skip', 'update', 'error'] as const;
export const IMPORT_OUTCOMES = ['create', 'invite', 'update', 'skip', 'error'] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];
export type OnExisting = (typeof ON_EXISTING)[number];
export type ImportOutcome = (typeof IMPORT_OUTCOMES)[number];

/** Base64 of at most 8 MiB, and a little past it so a file somewhat over is refused by the parser with its size in the sentence. */
const BASE64_MAX = Math.ceil(((IMPORT_MAX_BYTES * 2) / 3) * 4);

export const userImportBodySchema = z.strictObject({
  content: z
    .string()
    .max(BASE64_MAX, 'is over 16 MiB: an import takes at most 8 MiB')
    .regex(/^[A-Za-z0-9+/=\r\n]*$/, 'must be the file in base64')
    .meta({ description: 'The file, base64-encoded (its bytes as they are: the server checks they are UTF-8 and names the line that is not)' }),
  format: z.enum(['csv', 'jsonl']).optional().meta({ description: 'Default: JSON lines when the file starts with `{`, else CSV' }),
  dry_run: z.boolean(),
  mode: z.enum(IMPORT_MODES).default('create'),
  on_existing: z.enum(ON_EXISTING).default('error'),
  continue_on_error: z.boolean().default(false),
  with_keys: z.boolean().default(false),
});
export type UserImportBody = z.input<typeof userImportBodySchema>;

const link = z.object({ path: z.string(), url: z.string().nullable(), expires_at: z.string() });

export const importReportRowSchema = z.object({
  line: z.number().int(),
  username: z.string(),
  outcome: z.enum(IMPORT_OUTCOMES),
  code: z.string().optional(),
  column: z.string().nullable().optional(),
  message: z.string().optional(),
  /** Whether this row's change is in the database now (false on a dry run and for rows a refused import left out). */
  written: z.boolean(),
  /** A written create's set-password link, or an invite's invitation link: shown here once. */
  link: link.optional(),
  /** with_keys: the new user's personal key, its secret shown here once. */
  key: z.object({ id: z.string(), secret: z.string(), authorization: z.string() }).optional(),
});
export type ImportReportRow = z.output<typeof importReportRowSchema>;

export const importReportSchema = z
  .object({
    dry_run: z.boolean(),
    /** True when anything was written. */
    committed: z.boolean(),
    counts: z.object({ create: z.number(), invite: z.number(), update: z.number(), skip: z.number(), error: z.number(), written: z.number() }),
    rows: z.array(importReportRowSchema),
    /** One sentence: what was written, or why nothing was. */
    message: z.string(),
  })
  .meta({ id: 'UserImportReport' });
export type ImportReport = z.output<typeof importReportSchema>;
