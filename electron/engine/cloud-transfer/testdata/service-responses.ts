/**
 * Service responses for the progress tests, each labelled with where it comes from. Only the first two are the
 * services' own published examples; no published example response of a Storage Transfer Service operation was
 * found, so that one is written from the field list of its REST reference and says so.
 */

/**
 * Documented example, from the AWS DataSync API reference, DescribeTaskExecution, "Example 2 / Sample Response"
 * (https://docs.aws.amazon.com/datasync/latest/userguide/API_DescribeTaskExecution.html; as kept in
 * awsdocs/aws-datasync-user-guide doc_source/API_DescribeTaskExecution.md), read 2026-12-07. Verbatim, including
 * the placeholder "??????" error fields on a successful run and the numbers written as strings.
 */
export const DATASYNC_DESCRIBE_TASK_EXECUTION_EXAMPLE = {
  BytesTransferred: '5000',
  BytesWritten: '5000',
  EstimatedBytesToTransfer: '5000',
  EstimatedFilesToTransfer: '100',
  FilesTransferred: '100',
  Result: {
    ErrorCode: '??????',
    ErrorDetail: '??????',
    PrepareDuration: '100',
    PrepareStatus: 'SUCCESS',
    TransferDuration: '60',
    TransferStatus: 'AVAILABLE',
    VerifyDuration: '30',
    VerifyStatus: 'SUCCESS',
  },
  StartTime: '1532660733.39',
  Status: 'SUCCESS',
  OverrideOptions: {
    Atime: 'BEST_EFFORT',
    BytesPerSecond: '1000',
    Gid: 'NONE',
    Mtime: 'PRESERVE',
    PosixPermissions: 'PRESERVE',
    PreserveDevices: 'NONE',
    PreserveDeletedFiles: 'PRESERVE',
    Uid: 'NONE',
    VerifyMode: 'POINT_IN_TIME_CONSISTENT',
  },
  TaskExecutionArn: 'arn:aws:datasync:us-east-2:111222333444:task/task-08de6e6697796f026/execution/exec-04ce9d516d69bd52f',
};

/**
 * Documented example, from the Azure REST API specification of Microsoft.StorageMover, API version 2025-07-01,
 * examples/JobRuns_Get.json (the "Job Runs - Get" example of the REST reference), response 200 body, read
 * 2026-12-07. Verbatim except the long resource ids, shortened.
 */
export const STORAGE_MOVER_JOB_RUN_EXAMPLE = {
  id: '/subscriptions/60bcfc77-6589-4da2-b7fd-f9ec9322cf95/resourceGroups/examples-rg/providers/Microsoft.StorageMover/storageMovers/examples-storageMoverName/projects/examples-projectName/jobDefinitions/examples-jobDefinitionName/jobRuns/examples-jobRunName',
  name: 'examples-jobRunName',
  type: 'Microsoft.StorageMover/storageMovers/projects/jobDefinitions/jobRuns',
  properties: {
    status: 'Running',
    scanStatus: 'Scanning',
    agentName: 'migration-agent',
    executionStartTime: '2023-07-01T02:11:01.1075056Z',
    executionEndTime: null,
    lastStatusUpdate: '2023-07-01T02:21:01.1075056Z',
    sourceName: 'sourceEndpoint',
    targetName: 'targetEndpoint',
    itemsScanned: 351,
    itemsExcluded: 50,
    itemsUnsupported: 27,
    itemsNoTransferNeeded: 150,
    itemsFailed: 3,
    itemsTransferred: 100,
    bytesScanned: 49951162777600,
    bytesExcluded: 995116277760,
    bytesUnsupported: 495116277760,
    bytesNoTransferNeeded: 2995116277760,
    bytesFailed: 5116277760,
    bytesTransferred: 1995116277760,
  },
};

/**
 * Not a published example: written from the TransferOperation and TransferCounters fields of the Storage Transfer
 * Service REST reference (https://cloud.google.com/storage-transfer/docs/reference/rest/v1/transferOperations),
 * read 2026-12-07, in the JSON form the reference gives them (int64 counters as strings, enums as names).
 */
export const STS_OPERATION_FROM_REFERENCE = {
  name: 'transferOperations/transferJobs-1234-5678',
  projectId: 'example-project',
  transferJobName: 'transferJobs/1234',
  startTime: '2026-12-07T05:00:00Z',
  endTime: '2026-12-07T05:20:00Z',
  status: 'FAILED',
  counters: {
    objectsFoundFromSource: '2',
    bytesFoundFromSource: '17976274',
    objectsCopiedToSink: '1',
    bytesCopiedToSink: '1111575',
    objectsFromSourceFailed: '1',
    bytesFromSourceFailed: '16864699',
  },
  errorBreakdowns: [{ errorCode: 'NOT_FOUND', errorCount: '1', errorLogEntries: [{ url: 's3://bucket/a.flac', errorDetails: ['The object was deleted at the source during the transfer'] }] }],
};
