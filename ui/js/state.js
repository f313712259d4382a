// The app's shared state: one store per concept (store.js), so views can subscribe and render
// from it. `state` reads and writes the same stores field by field for the modules that only
// need the current value.
import { createStore } from './store.js';

/** The chosen folder's id (null = none). */
export const folderStore = createStore(null);
/** The search: {quick, filters}; replaced as a whole on every change. */
export const queryStore = createStore({ quick: '', filters: [] });
/** The id of the card highlighted in the grid (null = none). */
export const selectionStore = createStore(null);
/** The detail panel: {image: ImageHeader|null, creating: an unsaved new image, dirty}. */
export const openImageStore = createStore({ image: null, creating: false, dirty: false });

const field = (store, key) => ({
  get: () => store.get()[key],
  set: (v) => store.update((s) => (Object.is(s[key], v) ? s : { ...s, [key]: v })),
  enumerable: true,
});
const whole = (store) => ({ get: store.get, set: store.set, enumerable: true });

export const state = Object.defineProperties({
  connection: null,      // connection_status() result
  folders: [],
  fields: { fields: [], filters: [] },  // folder_schema(folderId): the folder's field specs
}, {
  folderId: whole(folderStore),
  query: whole(queryStore),
  selectedId: whole(selectionStore),
  openImage: field(openImageStore, 'image'),
  creating: field(openImageStore, 'creating'),
  dirty: field(openImageStore, 'dirty'),
});

/** Reads a field value out of an ImageHeader's headerData.fields. */
export function headerField(image, fieldId) {
  const f = image?.headerData?.fields?.find((x) => x.id === fieldId);
  return f ? f.value : undefined;
}

export function imageNumber(image) {
  return image?.headerNumber ?? headerField(image, 'header_number') ?? '';
}

export function imageName(image) {
  return image?.headerName ?? headerField(image, 'header_name') ?? '';
}

/** Preview URL only from headerData.preview (object {preview} or a string URL); '' when absent. */
export function previewUrl(image) {
  const p = image?.headerData?.preview;
  const url = typeof p === 'string' ? p : (p && typeof p.preview === 'string' ? p.preview : '');
  return /^(https?:|asset:|data:image\/)/i.test(url) ? url : '';
}
