import { InvalidConfigurationError } from '@custody/config';

/** Another service whose access log the audit service asks, by its base URL. */
export interface AccessLogSource {
  service: string;
  url: string;
}

/**
 * Reads ACCESS_LOG_SOURCES: a JSON array of `{ "service": "intake", "url": "http://intake:3000" }`,
 * the services whose `GET /access-log` a person's access history gathers. Throws an
 * InvalidConfigurationError naming the variable and the entry at fault.
 */
export function parseAccessLogSources(json: string): AccessLogSource[] {
  const problem = (text: string) => new InvalidConfigurationError([{ variable: 'ACCESS_LOG_SOURCES', problem: text }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json || '[]');
  } catch {
    throw problem('must be a JSON array of { "service", "url" }');
  }
  if (!Array.isArray(parsed)) throw problem('must be a JSON array of { "service", "url" }');
  const names = new Set<string>(['audit']);
  return parsed.map((entry: Partial<AccessLogSource>, index) => {
    if (typeof entry?.service !== 'string' || !/^[a-z][a-z0-9-]{0,39}$/.test(entry.service)) throw problem(`[${index}].service must be a service name (e.g. intake)`);
    if (names.has(entry.service)) throw problem(`[${index}].service ${entry.service} is given twice (audit's own log is always read)`);
    names.add(entry.service);
    if (typeof entry.url !== 'string' || !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(entry.url)) throw problem(`[${index}].url must be the service's base URL, http(s)://host:port`);
    return { service: entry.service, url: entry.url.replace(/\/+$/, '') };
  });
}
