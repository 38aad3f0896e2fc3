import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

/**
 * Compiles some of the app's own TypeScript modules to plain ESM in `outDir` (same relative layout), so
 * a test can run the real code in a separate Node process, e.g. one it kills mid-write. Node 20 cannot
 * run .ts files itself.
 */
export async function transpileModules(rootDir: string, files: string[], outDir: string): Promise<void> {
  for (const file of files) {
    const source = await readFile(join(rootDir, file), 'utf8');
    const output = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: file,
    }).outputText;
    const target = join(outDir, relative(rootDir, join(rootDir, file))).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, output);
  }
}
