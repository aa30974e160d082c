/** HTML building blocks for the web pages: escaping and the page frame. Pure. */

const escapes: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

export interface PageFrame {
  readonly lang: string;
  readonly title: string;
  /** Escaped HTML of the page's body. */
  readonly body: string;
  /** Where the page's stylesheet and script are served (/stats/assets or /admin/assets). */
  readonly assets: string;
  readonly script?: boolean;
}

export function page(frame: PageFrame): string {
  return [
    '<!doctype html>',
    `<html lang="${escapeHtml(frame.lang)}"><head><meta charset="utf-8">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No icon: browsers would otherwise ask for /favicon.ico, which the API answers 404.
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(frame.title)}</title>`,
    `<link rel="stylesheet" href="${frame.assets}/style.css">`,
    frame.script === true ? `<script src="${frame.assets}/live.js" defer></script>` : '',
    `</head><body>${frame.body}</body></html>`,
  ].join('');
}
