/**
 * Compact JSON written in pieces of about `chunk` characters: the same text as
 * JSON.stringify(value), without building one string of the whole answer. `quotas --json`
 * for all of France is 43 MB; one string of it, then its UTF-8 copy, cost more time and
 * memory than the work that computed it.
 *
 * Plain objects and arrays are walked; anything else (and anything with toJSON) is left to
 * JSON.stringify, so that the text is exactly its.
 */
export function writeJsonChunks(value: unknown, write: (text: string) => void, chunk = 1 << 18): void {
  let pending: string[] = [];
  let size = 0;
  const put = (text: string): void => {
    pending.push(text);
    size += text.length;
    if (size >= chunk) {
      write(pending.join(""));
      pending = [];
      size = 0;
    }
  };
  emit(value, put);
  if (pending.length > 0) write(pending.join(""));
}

function walkable(value: unknown): value is object {
  if (value === null || typeof value !== "object" || typeof (value as { toJSON?: unknown }).toJSON === "function") return false;
  const proto = Object.getPrototypeOf(value);
  return Array.isArray(value) || proto === Object.prototype || proto === null;
}

/** Small values go to JSON.stringify whole: walking them would only be slower. */
function large(value: object): boolean {
  return Array.isArray(value) ? value.length > 32 : Object.keys(value).length > 32 || Object.values(value).some((v) => Array.isArray(v) && v.length > 32);
}

/** Walked piece by piece (everything else is one JSON.stringify). */
const isLarge = (v: unknown): v is object => walkable(v) && large(v);
/** Most small array elements stringified at once: 64 keeps a piece of quotas rows small. */
const RUN = 64;

function emit(value: unknown, put: (text: string) => void): void {
  if (!isLarge(value)) {
    put(JSON.stringify(value) ?? "null");
    return;
  }
  if (Array.isArray(value)) {
    put("[");
    let i = 0;
    while (i < value.length) {
      if (i > 0) put(",");
      if (isLarge(value[i])) {
        emit(value[i], put);
        i++;
        continue;
      }
      // A run of small elements in one JSON.stringify of their slice: the same text (holes and
      // undefined become null either way), in far fewer pieces (names --json: 35,000 rows).
      let end = i + 1;
      while (end < value.length && end - i < RUN && !isLarge(value[end])) end++;
      put(JSON.stringify(value.slice(i, end)).slice(1, -1));
      i = end;
    }
    put("]");
    return;
  }
  put("{");
  let first = true;
  for (const key of Object.keys(value)) {
    const v: unknown = (value as Record<string, unknown>)[key];
    // A plain object or array always has a text; JSON.stringify leaves out undefined, functions and symbols.
    const text = walkable(v) ? null : JSON.stringify(v);
    if (text === undefined) continue;
    put(`${first ? "" : ","}${JSON.stringify(key)}:`);
    first = false;
    if (text === null) emit(v, put);
    else put(text);
  }
  put("}");
}
