// `claude plugin …` wrappers; meant to be re-exported by the package entry point.
export {
  DEFAULT_PLUGIN_CHANGE_TIMEOUT_MS,
  DEFAULT_PLUGIN_LIST_TIMEOUT_MS,
  addMarketplace,
  installPlugin,
  installedPluginDirectories,
  listMarketplaces,
  listPlugins,
} from './plugin-cli.js';
export type {
  AvailablePlugin,
  InstalledPlugin,
  Marketplace,
  PluginCliOptions,
  PluginCommandFailure,
  PluginCommandResult,
  PluginList,
  PluginScope,
} from './plugin-cli.js';
export {
  PLUGIN_NAME_PATTERN,
  validateMarketplaceName,
  validateMarketplaceSource,
  validatePluginName,
  validatePluginReference,
} from './plugin-arguments.js';
export type { MarketplaceSource } from './plugin-arguments.js';
