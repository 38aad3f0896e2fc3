/** The app itself: its name, version and which shell hosts the screens. */
import { request } from './define.js';
import { NoParams } from './domain.js';

export interface AppInfo {
  name: string;
  version: string;
  /** Which shell hosts the renderer: the Electron window or a local browser via the browser host. */
  host: 'electron' | 'browser' | 'cli';
}

export const app = {
  requests: {
    getInfo: request(NoParams).returns<AppInfo>(),
  },
  events: {},
};
