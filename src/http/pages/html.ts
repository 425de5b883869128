/** Escaping for server-rendered pages: every interpolated value goes through `esc`. */
export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `lang` is the page's language (BCP 47), for screen readers and translation tools. */
export function page(title: string, body: string, head = '', lang = 'en'): string {
  return `<!doctype html>
<html lang="${esc(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#1d2327;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
pre{background:#f6f8fa;padding:.7rem;overflow:auto;border-radius:6px}
.op{border:1px solid #e3e3e3;border-radius:8px;margin:.8rem 0;padding:.2rem .9rem}
.m{display:inline-block;min-width:4.2rem;font-weight:700;text-transform:uppercase}
.get{color:#1a7f37}.post{color:#0969da}.put{color:#9a6700}.patch{color:#8250df}.delete{color:#cf222e}
summary{cursor:pointer;padding:.5rem 0}table{border-collapse:collapse}td,th{padding:.2rem .6rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
label{display:block;margin:.6rem 0 .2rem}input,textarea,select{width:100%;padding:.4rem;font:inherit;box-sizing:border-box}
button{padding:.5rem 1rem;font:inherit;cursor:pointer}.muted{color:#666}.ok{color:#1a7f37}.err{color:#cf222e}
</style>${head}</head><body>${body}</body></html>`;
}
