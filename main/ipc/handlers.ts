import type { AppInfo } from '../../preload/contract.js';
import type { AccountSession } from '../xmpp/session.js';
import type { RequestHandlers } from './dispatcher.js';

export interface HandlerDeps {
  appInfo: AppInfo;
  session: AccountSession;
}

/** What each request does, in one table; arguments arrive already validated by the dispatcher. */
export function createHandlers({ appInfo, session }: HandlerDeps): RequestHandlers {
  return {
    'app:getInfo': () => Promise.resolve(appInfo),
    'account:connect': async (params) => session.connect(params),
    'account:disconnect': async () => session.disconnect(),
    'account:getState': () => Promise.resolve(session.state),
    'account:checkSupport': async () => session.checkSupport(),
  };
}
