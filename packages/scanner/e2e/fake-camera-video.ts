// Y4M files for Chromium's fake camera (--use-file-for-fake-video-capture): QR codes from the
// `qrcode` package, scaled into a 640x480 luma plane on white with a quiet zone; chroma planes
// neutral (128). Chromium plays the file at its frame rate and starts again at the end.
import { writeFile } from 'node:fs/promises';
import QRCode from 'qrcode';

const WIDTH = 640;
const HEIGHT = 480;
const QUIET_ZONE_MODULES = 4;

/** One picture: `text` null is a blank white picture (a camera that sees no code). */
function frame(text: string | null): Buffer {
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
  return Buffer.concat([Buffer.from('FRAME\n', 'ascii'), luma, chroma, chroma]);
}

/** A still picture of one QR code (or none), for as long as the camera runs. */
export async function writeQrVideo(file: string, text: string | null): Promise<void> {
  await writeQrScenes(file, [{ text, seconds: 1 }]);
}

/**
 * Scenes one after the other, e.g. coupon A for 20 s, then coupon B: what a camera sees when one
 * customer steps away and the next holds up their phone. Two pictures a second keep it small.
 */
export async function writeQrScenes(
  file: string,
  scenes: { text: string | null; seconds: number }[],
): Promise<void> {
  const fps = 2;
  const header = Buffer.from(
    `YUV4MPEG2 W${WIDTH} H${HEIGHT} F${fps}:1 Ip A1:1 C420jpeg\n`,
    'ascii',
  );
  const frames: Buffer[] = [];
  for (const scene of scenes) {
    const picture = frame(scene.text);
    for (let i = 0; i < Math.max(1, scene.seconds * fps); i++) frames.push(picture);
  }
  await writeFile(file, Buffer.concat([header, ...frames]));
}
