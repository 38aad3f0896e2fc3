/**
 * Words for a request's parameters the contract refused where its schema gave none of its own. The
 * contract words what people type ("Enter an address like juliet@capulet.lit"); every other check
 * would otherwise reach the screen in the validation library's own words ("Too small: expected string
 * to have >=1 characters"). These are given per parse (dispatcher.ts), so a schema's own message wins.
 */
import type { z } from 'zod';
import { formatCount as count } from '../../contract/format.js';

/** One sentence for one refused parameter, in words a person can act on. */
export function validationWords(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'This cannot be empty.' : `Use at least ${count(issue.minimum)} characters.`;
      if (issue.origin === 'array' || issue.origin === 'set') return Number(issue.minimum) <= 1 ? 'Choose at least one.' : `Choose at least ${count(issue.minimum)}.`;
      return `Use ${count(issue.minimum)} or more.`;
    case 'too_big':
      if (issue.origin === 'string') return `Use at most ${count(issue.maximum)} characters.`;
      if (issue.origin === 'array' || issue.origin === 'set') return `At most ${count(issue.maximum)} are allowed.`;
      return `Use ${count(issue.maximum)} or less.`;
    case 'invalid_type':
      if (issue.input === undefined) return 'This is missing.';
      return issue.expected === 'int' ? 'Use a whole number.' : 'This is not the kind of value the app takes here.';
    case 'unrecognized_keys':
      return 'The request carried something the app does not take; nothing was done.';
    default:
      return 'This value is not accepted here.';
  }
}
