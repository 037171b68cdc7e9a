// A Y4M file for Chromium's fake camera (--use-file-for-fake-video-capture) that shows one QR
// code: the code's modules from the `qrcode` package, scaled into a 640x480 luma plane on white
// with a quiet zone; chroma planes neutral (128). One frame; Chromium repeats it.
import { writeFile } from 'node:fs/promises';
import QRCode from 'qrcode';

const WIDTH = 640;
const HEIGHT = 480;
const QUIET_ZONE_MODULES = 4;

/** `text` null: a blank white picture (a camera that sees no code). */
export async function writeQrVideo(file: string, text: string | null): Promise<void> {
  const luma = new Uint8Array(WIDTH * HEIGHT).fill(255);
  if (text !== null) {
    const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
    const total = modules.size + 2 * QUIET_ZONE_MODULES;
    // about 60 % of the frame height, well inside the scanner's decode box
    const scale = Math.floor((HEIGHT * 0.6) / total);
    const side = modules.size * scale;
    const left = Math.floor((WIDTH - side) / 2);
    const top = Math.floor((HEIGHT - side) / 2);
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        if (!modules.get(row, col)) continue;
        for (let y = 0; y < scale; y++) {
          const start = (top + row * scale + y) * WIDTH + left + col * scale;
          luma.fill(0, start, start + scale);
        }
      }
    }
  }
  const chroma = new Uint8Array((WIDTH / 2) * (HEIGHT / 2)).fill(128);
  const header = Buffer.from(
    `YUV4MPEG2 W${WIDTH} H${HEIGHT} F10:1 Ip A1:1 C420jpeg\nFRAME\n`,
    'ascii',
  );
  await writeFile(file, Buffer.concat([header, luma, chroma, chroma]));
}
