import type { ConnectionStatus, IpcError } from '../../../contract';

/** What to tell the user for each error code: the message from main says what, this says what to do. */
const NEXT_STEP: Partial<Record<IpcError['code'], string>> = {
  'auth-failed': 'Check the address and password.',
  'server-unreachable': 'Check the server name and port, and that you are online.',
  'tls-untrusted': "If this is your own server, choose its CA certificate under 'Server settings'.",
  'tls-required': 'Your server must support encryption (STARTTLS).',
  'pep-unsupported': 'Ask your server admin to enable PEP with publish-options, or use another server.',
  timeout: 'Try again; the server may be busy.',
  'ca-changed': 'Compare the new fingerprint with the one your server’s admin gives you before trusting it.',
  'channel-binding-stripped': 'Try again from another network. If your server’s admin changed how it signs in, ask them to confirm.',
};

export function describeError(error: IpcError): { message: string; nextStep?: string } {
  const nextStep = NEXT_STEP[error.code];
  return nextStep ? { message: error.message, nextStep } : { message: error.message };
}

export const STATUS_LABEL: Record<ConnectionStatus, string> = {
  offline: 'Offline',
  connecting: 'Connecting…',
  online: 'Online',
  reconnecting: 'Reconnecting…',
  failed: 'Not connected',
};

/** A contact whose server could not be reached: nothing is known about their keys, which is not "no keys". */
export function unreachableText(jid: string): string {
  return `Their server is unreachable: ${jid}'s keys could not be fetched now. Try again later.`;
}
