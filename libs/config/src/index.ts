export { InvalidConfigurationError, loadConfig } from './config';
