import { ProtonClient, type ProtonClientConfig } from '@aws-sdk/client-proton';

/**
 * The Proton client, loaded on the first Proton event. Only the client class
 * is named, so the bundle keeps the two commands the handler sends instead of
 * the service's full command list and schemas.
 */
export function newProtonClient(options: ProtonClientConfig): ProtonClient {
  return new ProtonClient(options);
}
