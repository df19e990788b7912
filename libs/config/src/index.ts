export { InvalidConfigurationError, loadConfig, WholeNumber } from './config';
