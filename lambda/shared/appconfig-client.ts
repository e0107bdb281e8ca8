import { AppConfigClient, type AppConfigClientConfig } from '@aws-sdk/client-appconfig';

/**
 * The AppConfig client, in a module of its own so the handler can load it on
 * the first AppConfig event. It names the client class only: importing the
 * package's namespace (`await import('@aws-sdk/client-appconfig')`) would keep
 * every export alive, and with it every command and schema of the service.
 * The commands come in through the modules that send them.
 */
export function newAppConfigClient(options: AppConfigClientConfig): AppConfigClient {
  return new AppConfigClient(options);
}
