//! Files staff paste or drop into a field, read in the window: pasted images have no path on
//! disk, so they go to the engine as base64 (see `sendPastedMedia` and
//! `uploadPastedSavedReplyImage`). Nothing here checks a file; `rules.checkAttachment` does.

/** A file's bytes as a `data:` URL; the base64 after its comma is what the engine takes. */
export function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === 'string' ? reader.result : '');
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** The base64 of a `data:` URL. */
export function base64Of(dataUrl: string): string {
  return dataUrl.slice(dataUrl.indexOf(',') + 1);
}
