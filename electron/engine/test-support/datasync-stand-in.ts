import { TransferStandIn, type StandInReply, type StandInRoute } from './transfer-stand-in';

/**
 * AWS DataSync's API (JSON 1.1: every call a POST to / with X-Amz-Target `FmrsService.<Action>`, as in the API
 * reference), answering from an in-memory table. Each DescribeTaskExecution reads the next step of `script`.
 */
export type DataSyncStep = Record<string, unknown> & { Status: string };

const ACCOUNT = '111122223333';

export function dataSyncStandIn(opts: { region: string; script: DataSyncStep[]; executionsBefore?: number }): TransferStandIn & { locations: Map<string, Record<string, unknown>>; tasks: Map<string, Record<string, unknown>> } {
  const locations = new Map<string, Record<string, unknown>>();
  const tasks = new Map<string, Record<string, unknown>>();
  const executions = new Map<string, { task: string; step: number; cancelled: boolean }>();
  let seq = 0;
  const id = (): string => (++seq).toString(16).padStart(17, '0');
  const err = (type: string, message: string): StandInReply => ({ status: 400, body: { __type: type, message } });

  const action = (name: string, required: string[], respond: StandInRoute['respond']): StandInRoute => ({
    name,
    method: 'POST',
    path: /^\/$/,
    headers: { 'x-amz-target': `FmrsService.${name}`, 'content-type': 'application/x-amz-json-1.1' },
    required,
    respond,
  });
  const location = (name: string, required: string[]): StandInRoute =>
    action(name, required, ({ body }) => {
      const arn = `arn:aws:datasync:${opts.region}:${ACCOUNT}:location/loc-${id()}`;
      locations.set(arn, body);
      return { body: { LocationArn: arn } };
    });

  const routes: StandInRoute[] = [
    location('CreateLocationS3', ['S3BucketArn', 'S3Config.BucketAccessRoleArn']),
    location('CreateLocationAzureBlob', ['ContainerUrl', 'AuthenticationType']),
    location('CreateLocationObjectStorage', ['ServerHostname', 'BucketName']),
    action('CreateTask', ['SourceLocationArn', 'DestinationLocationArn'], ({ body }) => {
      for (const k of ['SourceLocationArn', 'DestinationLocationArn']) if (!locations.has(String(body[k]))) return err('InvalidRequestException', `${k} not found`);
      const arn = `arn:aws:datasync:${opts.region}:${ACCOUNT}:task/task-${id()}`;
      tasks.set(arn, body);
      for (let i = 0; i < (opts.executionsBefore ?? 0); i++) executions.set(`${arn}/execution/exec-past${i}`, { task: arn, step: opts.script.length, cancelled: false });
      return { body: { TaskArn: arn } };
    }),
    action('StartTaskExecution', ['TaskArn'], ({ body }) => {
      if (!tasks.has(String(body.TaskArn))) return err('InvalidRequestException', 'Task not found');
      const arn = `${String(body.TaskArn)}/execution/exec-${id()}`;
      executions.set(arn, { task: String(body.TaskArn), step: 0, cancelled: false });
      return { body: { TaskExecutionArn: arn } };
    }),
    action('DescribeTaskExecution', ['TaskExecutionArn'], ({ body }) => {
      const e = executions.get(String(body.TaskExecutionArn));
      if (!e) return err('InvalidRequestException', 'Execution not found');
      const step = e.cancelled
        ? { Status: 'ERROR', Result: { ErrorCode: 'OpNotCompleted', ErrorDetail: 'Cancelled by the user', TransferStatus: 'ERROR' } }
        : (opts.script[Math.min(e.step, opts.script.length - 1)] ?? { Status: 'QUEUED' });
      e.step += 1;
      return { body: { TaskExecutionArn: body.TaskExecutionArn, TaskMode: 'ENHANCED', StartTime: 1796619600, ...step } };
    }),
    action('ListTaskExecutions', [], ({ body }) => {
      const all = [...executions.entries()].filter(([, e]) => !body.TaskArn || e.task === body.TaskArn);
      const start = Number(body.NextToken ?? 0);
      const size = Number(body.MaxResults ?? 100);
      const page = all.slice(start, start + size).map(([arn]) => ({ TaskExecutionArn: arn, Status: 'SUCCESS', TaskMode: 'ENHANCED' }));
      return { body: { TaskExecutions: page, ...(start + size < all.length ? { NextToken: String(start + size) } : {}) } };
    }),
    action('CancelTaskExecution', ['TaskExecutionArn'], ({ body }) => {
      const e = executions.get(String(body.TaskExecutionArn));
      if (!e) return err('InvalidRequestException', 'Execution not found');
      e.cancelled = true;
      return { body: {} };
    }),
    action('DeleteTask', ['TaskArn'], ({ body }) => (tasks.delete(String(body.TaskArn)) ? { body: {} } : err('InvalidRequestException', 'Task not found'))),
    action('DeleteLocation', ['LocationArn'], ({ body }) => {
      const arn = String(body.LocationArn);
      if ([...tasks.values()].some((t) => t.SourceLocationArn === arn || t.DestinationLocationArn === arn)) return err('InvalidRequestException', 'The location is in use by a task');
      return locations.delete(arn) ? { body: {} } : err('InvalidRequestException', 'Location not found');
    }),
  ];
  return Object.assign(new TransferStandIn(routes), { locations, tasks });
}
