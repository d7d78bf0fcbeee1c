import { describe, expect, it } from 'vitest';
import { channels, type ChannelName } from '../../shared/contract';
import { FatalError, RetryableError, toErrorInfo } from '../../shared/errors';
import { dispatch, type Handlers } from './dispatch';
import { registerSecret } from './log';
import { toAzureError } from './providers/azure/azure.errors';

/** A saved account's key, known to the engine at run time (as the account store registers it). */
const ACCOUNT_KEY = 'c2t5ZmVycnktYWNjb3VudC1rZXktZm9yLXJlZGFjdGlvbg==';
registerSecret(ACCOUNT_KEY);

/** Secret-looking text as an SDK, a server or a careless layer might quote it. */
const LEAKY = [
  `the key ${ACCOUNT_KEY} was refused`,
  'GET https://acct.blob.core.windows.net/c/b?sv=2024-08-04&sig=SIGNATUREvalue123%3D failed',
  'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=QUNDT1VOVEtFWXZhbHVl;EndpointSuffix=core.windows.net',
  'https://b.s3.amazonaws.com/k?X-Amz-Credential=AKIAEXAMPLE%2F20260101&X-Amz-Signature=deadbeefcafe',
  'login failed: password=hunter2hunter2',
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
].join('; ');
const SECRETS = [ACCOUNT_KEY, 'SIGNATUREvalue123', 'QUNDT1VOVEtFWXZhbHVl', 'deadbeefcafe', 'AKIAEXAMPLE', 'hunter2hunter2', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'];

function expectNoSecret(message: string): void {
  for (const s of SECRETS) expect(message, `leaked ${s}`).not.toContain(s);
  expect(message).toContain('[redacted');
}

describe('error messages that cross to the renderer are redacted, mapped or not', () => {
  it('toErrorInfo redacts any of our errors, whoever wrote its message', () => {
    const info = toErrorInfo(new FatalError(`Something odd happened: ${LEAKY}`));
    expect(info.code).toBe('fatal');
    expect(info.message).toMatch(/^Something odd happened: the key \[redacted\] was refused/);
    expectNoSecret(info.message);
    expectNoSecret(new RetryableError(LEAKY).toInfo().message);
  });

  it('a provider error that fell through its mapper (Azure, an unknown status) carries no registered secret', () => {
    const sdkError = Object.assign(new Error(`I'm a teapot: the key ${ACCOUNT_KEY} is not welcome here`), { statusCode: 418, code: 'Teapot' });
    const mapped = toAzureError(sdkError, { account: 'acct', endpoint: 'https://acct.blob.core.windows.net', container: 'c', key: 'k' });
    expect(mapped.code).toBe('fatal');
    const info = toErrorInfo(mapped);
    expect(info.message).toContain('az://acct/c/k');
    expect(info.message).not.toContain(ACCOUNT_KEY);
  });

  it('what a handler throws reaches the envelope redacted, on every door of the dispatcher', async () => {
    const handlers = Object.fromEntries(
      (Object.keys(channels) as ChannelName[]).map((name) => [
        name,
        async () => {
          throw new FatalError(`Could not do it: ${LEAKY}`);
        },
      ]),
    ) as unknown as Handlers;
    const result = await dispatch(handlers, 'accounts:list', {}, new AbortController().signal);
    expect(result.ok).toBe(false);
    if (!result.ok) expectNoSecret(result.error.message);
  });
});
