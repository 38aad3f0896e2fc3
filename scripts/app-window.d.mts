import type { ChildProcess } from 'node:child_process';

export function findAppBrowser(options?: {
  env?: NodeJS.ProcessEnv;
  os?: NodeJS.Platform;
  executable?: (file: string) => boolean;
}): string | undefined;
export function appWindowArgs(url: string, profileDir: string): string[];
export function appDataDir(args: readonly string[], env?: NodeJS.ProcessEnv, os?: NodeJS.Platform): string;
export const LAUNCH_PAGE_LIFETIME_MS: number;
export interface LaunchPage {
  file: string;
  href: string;
  remove: () => void;
}
export function launchPageHtml(url: string): string;
export function writeLaunchPage(dir: string, url: string, options?: { lifetimeMs?: number; now?: number }): LaunchPage;
export function openAppWindow(
  browser: string,
  url: string,
  options: { dataDir: string; extraArgs?: readonly string[]; lifetimeMs?: number },
): { window: ChildProcess; launchPage: LaunchPage };
