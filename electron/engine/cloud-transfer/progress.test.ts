import { describe, expect, it } from 'vitest';
import { fromDataSyncExecution, fromStorageMoverJobRun, fromStsOperation, isFinal } from './progress';
import { DATASYNC_DESCRIBE_TASK_EXECUTION_EXAMPLE, STORAGE_MOVER_JOB_RUN_EXAMPLE, STS_OPERATION_FROM_REFERENCE } from './testdata/service-responses';

describe('one progress shape from each service', () => {
  it('DataSync: the API reference example (numbers as strings, placeholder errors on a success)', () => {
    const p = fromDataSyncExecution(DATASYNC_DESCRIBE_TASK_EXECUTION_EXAMPLE);
    expect(p).toEqual({
      state: 'succeeded',
      serviceState: 'SUCCESS',
      objectsFound: 100,
      bytesFound: 5000,
      objectsCopied: 100,
      bytesCopied: 5000,
      objectsFailed: 0,
      objectsSkipped: undefined,
      errors: [],
      startedAt: '2018-07-27T03:05:33.390Z',
      endedAt: undefined,
    });
    expect(isFinal(p.state)).toBe(true);
  });

  it('Storage Mover: the JobRuns_Get example', () => {
    const p = fromStorageMoverJobRun(STORAGE_MOVER_JOB_RUN_EXAMPLE);
    expect(p).toMatchObject({ state: 'running', serviceState: 'Running', objectsFound: 351, objectsCopied: 100, objectsFailed: 3, objectsSkipped: 150, bytesFound: 49951162777600, bytesCopied: 1995116277760, bytesFailed: 5116277760, errors: [] });
    expect(p.startedAt).toBe('2023-07-01T02:11:01.1075056Z');
    expect(p.endedAt).toBeUndefined();
  });

  it('Storage Transfer Service: a failed operation in the reference form, its errors in words', () => {
    const p = fromStsOperation(STS_OPERATION_FROM_REFERENCE);
    expect(p).toMatchObject({ state: 'failed', objectsFound: 2, bytesFound: 17976274, objectsCopied: 1, bytesCopied: 1111575, objectsFailed: 1, bytesFailed: 16864699 });
    expect(p.errors).toEqual(['1 object: NOT_FOUND (e.g. s3://bucket/a.flac: The object was deleted at the source during the transfer)']);
  });

  it('the SDK-decoded form: enums as numbers, counters as Longs', () => {
    const long = (n: number) => ({ toString: () => String(n) });
    const p = fromStsOperation({ status: 2, counters: { objectsCopiedToSink: long(7), bytesCopiedToSink: long(70) }, startTime: { seconds: long(1_796_619_600) } });
    expect(p).toMatchObject({ state: 'paused', serviceState: 'PAUSED', objectsCopied: 7, bytesCopied: 70, startedAt: new Date(1_796_619_600_000).toISOString() });
  });
});
