import { inflateSync } from 'node:zlib';

/**
 * The text strings a pdfkit document shows, one per text-showing operator, in page order: a small
 * parse of its content streams (inflated when FlateDecode), reading the hex strings of each `TJ` array
 * and the literal strings of each `Tj`. Enough for the standard fonts pdfkit writes (WinAnsi), no more.
 */
export function pdfTexts(pdf: Buffer): string[] {
  const texts: string[] = [];
  const source = pdf.toString('latin1');
  const streamRe = /<<([\s\S]*?)>>\s*stream\r?\n/g;
  for (let match = streamRe.exec(source); match; match = streamRe.exec(source)) {
    const start = match.index + match[0].length;
    const end = source.indexOf('endstream', start);
    if (end < 0) break;
    let data = pdf.subarray(start, end);
    if (/\/FlateDecode/.test(match[1] ?? '')) {
      try {
        data = inflateSync(data);
      } catch {
        continue; // a font or image stream pdfkit wrote differently; not text
      }
    }
    const content = data.toString('latin1');
    for (const op of content.matchAll(/\[([^\]]*)\]\s*TJ|\(((?:\\.|[^\\)])*)\)\s*Tj/g)) {
      if (op[1] !== undefined) {
        const hex = [...op[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1] ?? '').join('');
        texts.push(Buffer.from(hex, 'hex').toString('latin1'));
      } else if (op[2] !== undefined) {
        texts.push(op[2].replace(/\\(.)/g, '$1'));
      }
    }
  }
  return texts;
}
