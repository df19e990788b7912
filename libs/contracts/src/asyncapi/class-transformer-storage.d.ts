// class-transformer ships its metadata storage as CommonJS without a declaration at this path;
// class-validator-jsonschema needs it to follow @Type(() => Nested) into nested schemas.
declare module 'class-transformer/cjs/storage' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
  export const defaultMetadataStorage: MetadataStorage;
}
