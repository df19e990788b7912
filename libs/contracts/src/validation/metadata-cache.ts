import { getMetadataStorage } from 'class-validator';

/**
 * class-validator looks up a class's validation metadata on every object it validates, nested
 * ones included, by scanning the metadata of every decorated class of the process for ancestors
 * (an `instanceof` test per class) and filtering the result: with the catalogue's few hundred
 * classes, that lookup was the largest single cost of validating a message (docs/performance.md).
 * The metadata only changes while classes are being declared, so the lookup and its grouping by
 * property are kept per class and options, and forgotten whenever a decorator adds metadata.
 * What is returned is what class-validator computes; its validator only reads it.
 */
interface MetadataStorageLike {
  getTargetValidationMetadatas(targetConstructor: unknown, targetSchema: unknown, always: boolean, strictGroups: boolean, groups?: string[]): unknown[];
  groupByPropertyName(metadata: unknown[]): Record<string, unknown[]>;
  addValidationMetadata(metadata: unknown): void;
  addConstraintMetadata(metadata: unknown): void;
  addValidationSchema(schema: unknown): void;
}

const INSTALLED = Symbol.for('custody.contracts.validation-metadata-cache');

export function cacheValidationMetadata(): void {
  const storage = getMetadataStorage() as unknown as MetadataStorageLike & { [INSTALLED]?: boolean };
  if (storage[INSTALLED]) return;
  storage[INSTALLED] = true;
  let lookups = new Map<unknown, Map<string, unknown[]>>();
  let groupings = new WeakMap<unknown[], Record<string, unknown[]>>();
  const forget = () => {
    lookups = new Map();
    groupings = new WeakMap();
    handedOut = new WeakSet();
  };
  /** Only the lists this cache handed out are grouped once: another caller's list may change. */
  let handedOut = new WeakSet<unknown[]>();
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  storage.getTargetValidationMetadatas = (targetConstructor, targetSchema, always, strictGroups, groups) => {
    const key = `${typeof targetSchema === 'string' ? targetSchema : ''}\u0000${always}\u0000${strictGroups}\u0000${groups ? groups.join('\u0001') : '\u0002'}`;
    let byOptions = lookups.get(targetConstructor);
    if (!byOptions) lookups.set(targetConstructor, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (!found) {
      found = lookup(targetConstructor, targetSchema, always, strictGroups, groups);
      byOptions.set(key, found);
      handedOut.add(found);
    }
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    if (!handedOut.has(metadata)) return group(metadata);
    let grouped = groupings.get(metadata);
    if (!grouped) groupings.set(metadata, (grouped = group(metadata)));
    return grouped;
  };
  for (const name of ['addValidationMetadata', 'addConstraintMetadata', 'addValidationSchema'] as const) {
    const add = storage[name].bind(storage) as (value: unknown) => void;
    storage[name] = (value: unknown) => {
      forget();
      add(value);
    };
  }
}
