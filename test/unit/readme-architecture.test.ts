/**
 * The README's architecture picture matches the folders (issue 12.6): every folder of main/, every
 * service file and every contract domain is named in it, so a new one cannot land without its place
 * in the picture.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const start = readme.indexOf('## Architecture');
const picture = readme.slice(readme.indexOf('```', start), readme.indexOf('```', readme.indexOf('```', start) + 3));
const words = new Set(picture.split(/[^A-Za-z0-9_./-]+/).flatMap((w) => [w, w.replace(/[/.,:]+$/, '')]));

describe('the README architecture picture', () => {
  it('names every folder of main/', () => {
    const folders = readdirSync(`${root}main`, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.length).toBeGreaterThan(5);
    expect(folders.filter((f) => !words.has(`${f}/`))).toEqual([]);
  });

  it('names every file of main/services/', () => {
    const services = readdirSync(`${root}main/services`).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
    expect(services.filter((s) => !words.has(s) && !words.has(`${s}.ts`))).toEqual([]);
  });

  it('names every domain of contract/ (each file that declares requests)', () => {
    const domains = readdirSync(`${root}contract`)
      .filter((f) => f.endsWith('.ts') && /^\s+requests:/m.test(readFileSync(`${root}contract/${f}`, 'utf8')))
      .map((f) => f.slice(0, -3));
    expect(domains.length).toBeGreaterThan(5);
    expect(domains.filter((d) => !words.has(d))).toEqual([]);
  });
});
