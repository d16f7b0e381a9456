import { gql, type TypedDocumentNode } from '@urql/core';
import type {
  VectorStoreData,
  VectorStoreVariables,
  VectorStoresData,
  VectorStoresVariables,
  ViewerData,
} from './types.ts';

/** Who is signed in: the header and the sign-in check use it. */
export const VIEWER_QUERY: TypedDocumentNode<ViewerData, Record<string, never>> = gql`
  query Viewer {
    viewer {
      role
      account {
        id
        name
        emulated
        openaiConnected
      }
    }
  }
`;

const STORE_SUMMARY = gql`
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
    fileCounts {
      inProgress
      completed
      failed
      cancelled
      total
    }
  }
`;

/** One page of the store list. */
export const VECTOR_STORES_QUERY: TypedDocumentNode<VectorStoresData, VectorStoresVariables> = gql`
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
  ${STORE_SUMMARY}
`;

/** Every property of one store, and one page of its files. */
export const VECTOR_STORE_QUERY: TypedDocumentNode<VectorStoreData, VectorStoreVariables> = gql`
  query VectorStore($id: ID!, $filesFirst: Int, $filesAfter: String, $filesLast: Int, $filesBefore: String) {
    vectorStore(id: $id) {
      ...StoreSummary
      description
      expirationPolicy {
        kind
        days
      }
      lastActiveAt
      metadata {
        key
        value
      }
      createdAt
      updatedAt
      files(first: $filesFirst, after: $filesAfter, last: $filesLast, before: $filesBefore) {
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          cursor
          node {
            status
            usageBytes
            createdAt
            attributes
            chunkingStrategy
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
              source
              createdAt
            }
          }
        }
      }
    }
  }
  ${STORE_SUMMARY}
`;
