// Whether a client takes a gzip-compressed body (pure): Accept-Encoding as RFC 9110 §12.5.3 reads
// it — "gzip" (or "x-gzip", or "*") with a weight above zero. The page's script is most of what a
// browser fetches (xterm.js); compressed it is about a quarter of its size.

const MAX_HEADER = 1024;

export function acceptsGzip(header: string | undefined): boolean {
  if (!header || header.length > MAX_HEADER) return false;
  let star: boolean | undefined;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    const accepted = Number.isFinite(weight) && weight > 0;
    if (coding === 'gzip' || coding === 'x-gzip') return accepted;
    if (coding === '*') star = accepted;
  }
  return star === true;
}
