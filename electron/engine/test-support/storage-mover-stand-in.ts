import { TransferStandIn, selfSignedCert, type StandInReply, type StandInRoute } from './transfer-stand-in';

/**
 * Azure Storage Mover's Resource Manager surface (Microsoft.StorageMover, as in its REST reference: projects,
 * endpoints, job definitions with startJob / stopJob, job runs), served over HTTPS with a throwaway certificate.
 * Deletes answer 202 with a Location to poll, which reports 202 once and then 204, as ARM's asynchronous deletes do.
 */
export type JobRunStep = Record<string, unknown> & { status: string };

export function storageMoverStandIn(opts: {
  subscriptionId: string;
  resourceGroup: string;
  storageMover: string;
  script: JobRunStep[];
  runsBefore?: number;
  /** When set, every request must carry `Authorization: Bearer <bearer>` (ARM answers 401 otherwise). */
  bearer?: string;
}) {
  const tls = selfSignedCert();
  const base = `/subscriptions/${opts.subscriptionId}/resourceGroups/${opts.resourceGroup}/providers/Microsoft.StorageMover/storageMovers/${opts.storageMover}`;
  const b = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const resources = new Map<string, Record<string, unknown>>();
  const runs = new Map<string, { step: number; stopped: boolean }>();
  const polls = new Map<string, number>();
  let seq = 0;
  const notFound = (): StandInReply => ({ status: 404, body: { error: { code: 'ResourceNotFound', message: 'The resource was not found' } } });

  const put = (name: string, path: RegExp, required: string[]): StandInRoute => ({
    name,
    method: 'PUT',
    path,
    required,
    respond: ({ path: p, body }) => {
      const id = p;
      const res = { id, name: id.split('/').pop(), type: 'Microsoft.StorageMover/x', ...body, properties: { ...(body.properties as object), provisioningState: 'Succeeded' } };
      resources.set(id, res);
      return { status: 200, body: res };
    },
  });
  const del = (name: string, path: RegExp): StandInRoute => ({
    name,
    method: 'DELETE',
    path,
    respond: ({ path: p }) => {
      if (!resources.delete(p)) return { status: 204 };
      const op = `op-${++seq}`;
      polls.set(op, 0);
      return { status: 202, headers: { location: `${stand.url}${base}/operationResults/${op}?api-version=2025-07-01`, 'retry-after': '0' } };
    },
  });

  const routes: StandInRoute[] = [
    put('projects.createOrUpdate', new RegExp(`^${b}/projects/[^/]+$`), []),
    put('endpoints.createOrUpdate', new RegExp(`^${b}/endpoints/[^/]+$`), ['properties.endpointType']),
    put('jobDefinitions.createOrUpdate', new RegExp(`^${b}/projects/[^/]+/jobDefinitions/[^/]+$`), ['properties.copyMode', 'properties.sourceName', 'properties.targetName']),
    {
      name: 'jobDefinitions.startJob',
      method: 'POST',
      path: new RegExp(`^${b}/projects/[^/]+/jobDefinitions/[^/]+/startJob$`),
      respond: ({ path: p }) => {
        const def = p.replace(/\/startJob$/, '');
        if (!resources.has(def)) return notFound();
        for (let i = 0; i < (opts.runsBefore ?? 0); i++) runs.set(`${def}/jobRuns/past-${i}`, { step: opts.script.length, stopped: false });
        const id = `${def}/jobRuns/run-${++seq}`;
        runs.set(id, { step: 0, stopped: false });
        return { body: { jobRunResourceId: id } };
      },
    },
    {
      name: 'jobDefinitions.stopJob',
      method: 'POST',
      path: new RegExp(`^${b}/projects/[^/]+/jobDefinitions/[^/]+/stopJob$`),
      respond: ({ path: p }) => {
        const def = p.replace(/\/stopJob$/, '');
        const active = [...runs.entries()].filter(([id]) => id.startsWith(def)).pop();
        if (!active) return notFound();
        active[1].stopped = true;
        return { body: { jobRunResourceId: active[0] } };
      },
    },
    {
      name: 'jobRuns.get',
      method: 'GET',
      path: new RegExp(`^${b}/projects/[^/]+/jobDefinitions/[^/]+/jobRuns/[^/]+$`),
      respond: ({ path: p }) => {
        const r = runs.get(p);
        if (!r) return notFound();
        const step = r.stopped ? { status: 'Canceled' } : (opts.script[Math.min(r.step, opts.script.length - 1)] ?? { status: 'Queued' });
        r.step += 1;
        return { body: { id: p, name: p.split('/').pop(), type: 'Microsoft.StorageMover/storageMovers/projects/jobDefinitions/jobRuns', properties: { ...step, provisioningState: 'Succeeded' } } };
      },
    },
    {
      name: 'jobRuns.list',
      method: 'GET',
      path: new RegExp(`^${b}/projects/[^/]+/jobDefinitions/[^/]+/jobRuns$`),
      respond: ({ path: p, query }) => {
        const all = [...runs.keys()].filter((id) => id.startsWith(`${p}/`));
        const start = Number(query.get('skip') ?? 0);
        const page = all.slice(start, start + 2).map((id) => ({ id, name: id.split('/').pop(), properties: { status: 'Succeeded' } }));
        return { body: { value: page, ...(start + 2 < all.length ? { nextLink: `${stand.url}${p}?api-version=2025-07-01&skip=${start + 2}` } : {}) } };
      },
    },
    {
      name: 'operationResults.get',
      method: 'GET',
      path: new RegExp(`^${b}/operationResults/([^/]+)$`),
      respond: ({ match }) => {
        const op = match[1] ?? '';
        const n = polls.get(op);
        if (n === undefined) return notFound();
        polls.set(op, n + 1);
        return n === 0 ? { status: 202, headers: { location: `${stand.url}${base}/operationResults/${op}?api-version=2025-07-01`, 'retry-after': '0' } } : { status: 204 };
      },
    },
    del('jobDefinitions.delete', new RegExp(`^${b}/projects/[^/]+/jobDefinitions/[^/]+$`)),
    del('endpoints.delete', new RegExp(`^${b}/endpoints/[^/]+$`)),
    del('projects.delete', new RegExp(`^${b}/projects/[^/]+$`)),
  ];
  for (const r of routes) {
    r.query = ['api-version'];
    const respond = r.respond;
    r.respond = (req) => {
      if (opts.bearer === undefined || req.headers.authorization === `Bearer ${opts.bearer}`) return respond(req);
      stand.failures.push(`${r.name}: no bearer token of the signed-in identity`);
      return { status: 401, body: { error: { code: 'AuthenticationFailed', message: 'Authentication failed. The Authorization header is missing or invalid.' } } };
    };
  }
  const stand = new TransferStandIn(routes, tls);
  return Object.assign(stand, { ca: tls.cert, resources });
}
