export function findAppBrowser(options?: {
  env?: NodeJS.ProcessEnv;
  os?: NodeJS.Platform;
  executable?: (file: string) => boolean;
}): string | undefined;
export function appWindowArgs(url: string, profileDir: string): string[];
export function appDataDir(args: readonly string[], env?: NodeJS.ProcessEnv, os?: NodeJS.Platform): string;
