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

/** `--crop x,y,size`: the square of the picture to publish, three whole numbers of pixels. */
export function cropOption(text: string): { x: number; y: number; size: number } {
  const parts = text.split(',');
  const [x, y, size] = parts.map((part) => integerIn(part, 0, 100_000));
  if (parts.length !== 3 || x === undefined || y === undefined || size === undefined || size === 0) {
    throw new InvalidArgumentError('--crop: x,y,size in whole pixels (left edge, top edge, side), e.g. 100,0,800.');
  }
  return { x, y, size };
}
