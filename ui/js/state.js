// The app's shared state plus a tiny change notifier. Modules read `state` directly and
// announce changes with `emit`, so there is one place that knows what is current.

export const state = {
  connection: null,      // connection_status() result
  folders: [],
  folderId: null,
  schema: [],            // folder_schema(folderId)
  query: { quick: '', filters: [] },
  selectedId: null,      // card highlighted in the grid
  openImage: null,       // ImageHeader shown in the detail panel (null = none or a new image)
  creating: false,       // detail panel holds an unsaved new image
  dirty: false,
};

const bus = new EventTarget();

export function on(name, fn) {
  const listener = (e) => fn(e.detail);
  bus.addEventListener(name, listener);
  return () => bus.removeEventListener(name, listener);
}

export function emit(name, detail) {
  bus.dispatchEvent(new CustomEvent(name, { detail }));
}

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
