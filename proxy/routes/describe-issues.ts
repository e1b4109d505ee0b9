/** @module describeIssues(): valibot's issues as the one-line message a 400 answer carries, naming the field. */
import * as v from 'valibot';

// How each rule of the shared schemas is worded; `n` is the rule's requirement (a length, a bound, a pattern).
const RULE_WORDS: Readonly<Record<string, (n: unknown) => string>> = {
  min_length: (n) => (n === 1 ? 'is required' : `must be at least ${String(n)} characters`),
  max_length: (n) => `must be at most ${String(n)} characters`,
  min_value: (n) => `must be at least ${String(n)}`,
  max_value: (n) => `must be at most ${String(n)}`,
  regex: (n) => `must match ${String(n)}`,
  finite: () => 'must be a finite number',
};

/**
 * One readable line from valibot issues, each naming its field: `reason is required; refund_account must match
 * /^\d{8,16}$/`. Worded from the rule, not valibot's default message, which quotes the input (an account number, say);
 * `subject` names a value checked on its own (a header, a path parameter), whose issues have no path.
 */
export const describeIssues = (issues: readonly v.BaseIssue<unknown>[], subject = 'body'): string =>
  issues
    .map((issue) => {
      const { type, expected, input } = issue;
      const { requirement } = issue as { requirement?: unknown }; // only validation issues have one
      // A check's message is our own wording (the shared schemas'), which never quotes the input.
      // A strict object's key it does not know is "expected never"; one it lacks is as any missing field.
      const unknownKey = type === 'strict_object' && expected === 'never';
      const words = unknownKey
        ? 'is not a field here'
        : ((type === 'check' ? issue.message : RULE_WORDS[type]?.(requirement)) ??
          (input === undefined ? 'is required' : `must be of type ${expected ?? type}`));
      return `${v.getDotPath(issue) ?? subject} ${words}`;
    })
    .join('; ');
