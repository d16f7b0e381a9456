import { graphql } from './graphql.ts';

const STORE_SUMMARY = graphql(`
  fragment StoreSummary on VectorStore {
    id
    name
    source
    backend
    status
    readOnly
    externalId
    expiresAt
    usageBytes
    syncedAt
    costlyWithoutExpiration
    fileCounts {
      inProgress
      completed
      failed
      cancelled
      total
    }
    countDrift {
      reported
      listed
    }
  }
`);

/** One page of the store list. */
export const VECTOR_STORES_QUERY = graphql(
  `
    query VectorStores(
      $filter: VectorStoreFilter
      $orderBy: VectorStoreOrder
      $first: Int
      $after: String
      $last: Int
      $before: String
    ) {
      vectorStores(
        filter: $filter
        orderBy: $orderBy
        first: $first
        after: $after
        last: $last
        before: $before
      ) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          cursor
          node {
            ...StoreSummary
          }
        }
      }
    }
  `,
  [STORE_SUMMARY],
);

/** The queue's state of a mirror's deletion: the store page shows it while the store is DELETING. */
const STORE_DELETION = graphql(`
  fragment StoreDeletionFields on StoreDeletion {
    queuedAt
    attempts
    lastError
    nextAttemptAt
    plannedFileCount
  }
`);

/**
 * Every property of one store, and one page of its files with what the files table shows (it pages
 * by pageInfo, not by the edges' cursors).
 */
export const VECTOR_STORE_QUERY = graphql(
  `
    query VectorStore(
      $id: ID!
      $filesFirst: Int
      $filesAfter: String
      $filesLast: Int
      $filesBefore: String
    ) {
      vectorStore(id: $id) {
        ...StoreSummary
        description
        syncError
        estimatedDailyCostUsd
        expirationPolicy {
          kind
          days
          description
          openai
        }
        costlyWithoutExpiration
        lastActiveAt
        metadata {
          key
          value
        }
        createdAt
        updatedAt
        deletion {
          ...StoreDeletionFields
        }
        files(first: $filesFirst, after: $filesAfter, last: $filesLast, before: $filesBefore) {
          pageInfo {
            hasNextPage
            hasPreviousPage
            startCursor
            endCursor
          }
          edges {
            node {
              status
              usageBytes
              createdAt
              attributes
              lastError {
                code
                message
              }
              file {
                id
                filename
                bytes
                purpose
                externalId
              }
            }
          }
        }
      }
    }
  `,
  [STORE_SUMMARY, STORE_DELETION],
);

/** The header: who is signed in, and the last sync run of the account. */
export const LAYOUT_QUERY = graphql(`
  query Layout {
    viewer {
      role
      account {
        id
        name
        emulated
        openaiConnected
        openaiKeyRejection
      }
    }
    syncRuns(first: 1) {
      edges {
        node {
          id
          status
          startedAt
          finishedAt
        }
      }
    }
  }
`);

/** Counts behind the list's quick filters (each with the other filters applied), in one request. */
export const SOURCE_COUNTS_QUERY = graphql(`
  query StoreCounts(
    $all: VectorStoreFilter
    $cache: VectorStoreFilter
    $primary: VectorStoreFilter
    $expiringSoon: VectorStoreFilter
  ) {
    all: vectorStores(filter: $all, first: 1) {
      totalCount
    }
    cache: vectorStores(filter: $cache, first: 1) {
      totalCount
    }
    primary: vectorStores(filter: $primary, first: 1) {
      totalCount
    }
    expiringSoon: vectorStores(filter: $expiringSoon, first: 1) {
      totalCount
    }
  }
`);

/** A store's status and the queue's progress: the store page follows a deletion with it. */
export const STORE_STATUS_QUERY = graphql(
  `
    query StoreStatus($id: ID!) {
      vectorStore(id: $id) {
        id
        status
        deletion {
          ...StoreDeletionFields
        }
      }
    }
  `,
  [STORE_DELETION],
);

const MUTATION_ERRORS = graphql(`
  fragment MutationErrors on Error {
    __typename
    message
    ... on ValidationError {
      field
    }
  }
`);

export const CREATE_STORE_MUTATION = graphql(
  `
    mutation CreateVectorStore($input: CreateVectorStoreInput!) {
      createVectorStore(input: $input) {
        __typename
        ... on VectorStorePayload {
          vectorStore {
            id
            name
          }
        }
        ...MutationErrors
      }
    }
  `,
  [MUTATION_ERRORS],
);

export const UPDATE_STORE_MUTATION = graphql(
  `
    mutation UpdateVectorStore($input: UpdateVectorStoreInput!) {
      updateVectorStore(input: $input) {
        __typename
        ... on VectorStorePayload {
          vectorStore {
            id
            name
          }
        }
        ...MutationErrors
      }
    }
  `,
  [MUTATION_ERRORS],
);

export const DELETE_STORE_MUTATION = graphql(
  `
    mutation DeleteVectorStore($id: ID!) {
      deleteVectorStore(input: { id: $id }) {
        __typename
        ... on DeleteVectorStorePayload {
          deletedVectorStoreId
          vectorStore {
            id
            status
          }
        }
        ...MutationErrors
      }
    }
  `,
  [MUTATION_ERRORS],
);

export const REMOVE_FILE_MUTATION = graphql(
  `
    mutation RemoveVectorStoreFile($vectorStoreId: ID!, $fileId: ID!) {
      removeVectorStoreFile(input: { vectorStoreId: $vectorStoreId, fileId: $fileId }) {
        __typename
        ... on RemoveVectorStoreFilePayload {
          removedFileId
        }
        ...MutationErrors
      }
    }
  `,
  [MUTATION_ERRORS],
);

/** Sent by `upload.ts` as a GraphQL multipart request (the file goes in `variables.input.file`). */
export const UPLOAD_FILE_MUTATION = graphql(
  `
    mutation UploadVectorStoreFile($input: UploadVectorStoreFileInput!) {
      uploadVectorStoreFile(input: $input) {
        __typename
        ... on VectorStoreFilePayload {
          vectorStoreFile {
            file {
              id
              filename
            }
          }
        }
        ...MutationErrors
      }
    }
  `,
  [MUTATION_ERRORS],
);

export const START_SYNC_MUTATION = graphql(
  `
    mutation StartSync {
      startSync(input: {}) {
        __typename
        ... on SyncRun {
          id
          status
          startedAt
          finishedAt
        }
        ...MutationErrors
      }
    }
  `,
  [MUTATION_ERRORS],
);

const SYNC_RUN_FIELDS = graphql(`
  fragment SyncRunFields on SyncRun {
    id
    status
    trigger
    scope
    phase
    full
    startedAt
    finishedAt
    durationMs
    storesTotal
    storesDone
    storesCreated
    storesUpdated
    storesRemoved
    filesDone
    filesCreated
    filesUpdated
    filesRemoved
    orphansFound
    requests
    retries
    throttled
    concurrencyLimit
    rateLimit
    errors {
      at
      message
      vectorStoreExternalId
    }
    vectorStore {
      id
      name
      externalId
    }
  }
`);

export const SYNC_RUNS_QUERY = graphql(
  `
    query SyncRuns($first: Int, $after: String, $last: Int, $before: String) {
      viewer {
        account {
          id
          syncSchedule
        }
      }
      syncRuns(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          cursor
          node {
            ...SyncRunFields
          }
        }
      }
    }
  `,
  [SYNC_RUN_FIELDS],
);

export const SYNC_PROGRESS_SUBSCRIPTION = graphql(
  `
    subscription SyncProgress($runId: ID) {
      syncProgress(runId: $runId) {
        runId
        sequence
        phase
        storesDone
        storesTotal
        filesDone
        requests
        retries
        throttled
        concurrencyLimit
        status
        final
        run {
          ...SyncRunFields
        }
      }
    }
  `,
  [SYNC_RUN_FIELDS],
);

export const ORPHANS_QUERY = graphql(`
  query Orphans($first: Int, $after: String, $last: Int, $before: String) {
    viewer {
      account {
        id
        orphanGraceHours
      }
    }
    orphanFiles(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      totalBytes
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
          filename
          bytes
          purpose
          createdAt
          ageHours
          externalId
          source
        }
      }
    }
    storageCost {
      billableBytes
      bytesWithoutExpiration
      estimatedDailyCostUsd
      freeBytes
      storesWithoutExpiration
      totalUsageBytes
    }
  }
`);

/** Every orphan id, a page at a time, for "select all". */
export const ORPHAN_IDS_QUERY = graphql(`
  query OrphanIds($after: String) {
    orphanFiles(first: 100, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
        }
      }
    }
  }
`);

export const DELETE_ORPHANS_MUTATION = graphql(
  `
    mutation DeleteOrphanFiles($ids: [ID!]!) {
      deleteOrphanFiles(input: { ids: $ids }) {
        __typename
        ... on DeleteOrphanFilesPayload {
          queued
        }
        ...MutationErrors
      }
    }
  `,
  [MUTATION_ERRORS],
);

/** One page of the account's audit log (admins only), with its filters. */
export const AUDIT_EVENTS_QUERY = graphql(`
  query AuditEvents(
    $first: Int
    $after: String
    $last: Int
    $before: String
    $kind: String
    $actorTokenId: ID
    $targetId: ID
  ) {
    auditEvents(
      first: $first
      after: $after
      last: $last
      before: $before
      kind: $kind
      actorTokenId: $actorTokenId
      targetId: $targetId
    ) {
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          occurredAt
          kind
          outcome
          errorType
          summary
          actor {
            kind
            tokenId
            name
          }
          targets {
            type
            id
            localId
          }
        }
      }
    }
  }
`);

/** The Insights page: the usage history, the quota forecast and the costliest stores. */
export const INSIGHTS_QUERY = graphql(`
  query Insights($range: UsageRange!, $resolution: UsageResolution!) {
    viewer {
      account {
        id
        storageQuotaBytes
        usageHistory(range: $range, resolution: $resolution) {
          at
          mirrorStores
          localStores
          files
          fileBytes
          usageBytes
          billableBytes
          estimatedDailyCostUsd
          orphanFiles
          orphanBytes
          storesWithoutExpiration
          storesWithCountDrift
          runs
          syncDurationMs
          syncRequests
        }
        usageForecast(window: $range) {
          quotaBytes
          points
          fitFrom
          fitTo
          bytesAtFitFrom
          slopeBytesPerDay
          currentBytes
          reachesQuotaAt
        }
        costliestStores(limit: 10) {
          id
          name
          externalId
          usageBytes
          estimatedDailyCostUsd
          costlyWithoutExpiration
        }
      }
    }
  }
`);
