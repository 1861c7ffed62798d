import { ConsoleFailure, type ConsoleFieldIssue } from '../../../src-shared/console-errors.ts';
import { formErrors } from './admin-forms.ts';
import { findAll, hasClass, text, type Element } from './html.ts';

/**
 * A form Django sent back with errors, as a VALIDATION failure whose fields
 * are the console's names for Django's (`password1` is the password,
 * `password2` its confirmation), and whose message is Django's own first
 * sentence about what is wrong.
 */
export function formFailure(root: Element, rename: Record<string, string> = {}): ConsoleFailure {
  const { fields, general } = formErrors(root);
  const issues: ConsoleFieldIssue[] = fields.map((f) => ({ field: rename[f.field] ?? f.field, message: f.message }));
  // Django heads a form with errors with one `p.errornote` ("Please correct the error below.", in the
  // admin's language): a pointer to the errors, not one of them. It is told apart by its element, never by
  // its English words, so a German admin's field errors are not hidden behind "Bitte die unten aufgeführten
  // Fehler korrigieren." (issue 18).
  const notes = findAll(root, (e) => e.tagName === 'p' && hasClass(e, 'errornote')).map(text);
  const specific = general.filter((g) => !notes.includes(g));
  const fallback = notes[0] ? `The admin site refused the change: “${notes[0]}”` : 'The admin site refused the change.';
  const message =
    specific[0] ??
    (issues.length === 1 ? `${label(issues[0]!.field)}: ${issues[0]!.message}` : issues.length ? 'Some values are not valid; see the fields.' : fallback);
  return new ConsoleFailure({ code: 'VALIDATION', serverCode: 'VALIDATION', message, ...(issues.length ? { fields: issues } : {}) });
}

function label(field: string): string {
  const text = field.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
