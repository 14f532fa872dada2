/**
 * The one configuration error of the project's services and tools: which configuration (`what`)
 * and every problem found in it, each naming the setting and the value it got, so one start
 * reports all of them at once.
 */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(
    readonly what: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid ${what} configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}
