/**
 * Option values as the command line gives them. Numbers are checked rather than cast: `Number('7d')`
 * is NaN and `Number('')` is 0, and neither may reach a request as if it were what the user meant.
 */
import { InvalidArgumentError } from 'commander';

/** A whole number from `min` to `max` written in decimal digits; undefined for anything else. */
export function integerIn(text: string, min: number, max: number): number | undefined {
  const value = /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : undefined;
}

/** An option parser for commander: a whole number from `min` to `max`, or a usage error naming `what`. */
export function integerOption(min: number, max: number, what: string): (text: string) => number {
  return (text) => {
    const value = integerIn(text, min, max);
    if (value === undefined) throw new InvalidArgumentError(`${what}: a whole number from ${min} to ${max}.`);
    return value;
  };
}

/** An option that may be given several times collects its values. */
export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}
