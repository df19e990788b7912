/**
 * The search read model's keys of a person's names (docs/personal-data.md, "The search read
 * model"): never the name, only its blind index (HMAC-SHA-256 under the key of purpose
 * `inmate-search`, stored wrapped by the master key like the documents' key), made from the name
 * normalised so that the spellings a clerk types for the same name meet: case, accents and white
 * space do not count. Pure, given the index function.
 */

/** The purpose of the search keys' blind-index key (its own key: a search key never equals a document's index). */
export const SEARCH_INDEX = 'inmate-search';

/** The names searched on, as the query parameters and the events name them. */
export type SearchedName = 'familyName' | 'givenNames';

/**
 * A name as it is compared: compatibility-decomposed (NFKD), accents and other combining marks
 * removed, case folded (`ß` is `ss`), runs of white space made one space, trimmed. `Çelë  HOXHA`
 * and `cele hoxha` are the same name; `Hoxha-Daci` and `Hoxha Daci` are not (hyphens and
 * apostrophes count).
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * The search key of one name: the blind index of the field and the normalised name (the field is
 * part of the indexed value, so a family name and a given name that are equal give different
 * keys); undefined for a name that normalises to nothing.
 */
export function searchKey(field: SearchedName, name: string, index: (value: string) => string): string | undefined {
  const normalised = normaliseName(name);
  return normalised === '' ? undefined : index(`${field}\u0000${normalised}`);
}
