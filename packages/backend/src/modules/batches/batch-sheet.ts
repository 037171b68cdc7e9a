// The printable A4 sheet of a batch (pdfkit): 15 coupons a page, each a QR code (error
// correction M) of the coupon's link drawn as vector squares, the code in text under it, and the campaign's name and
// discount, inside dashed cutting lines. Pages are written as the coupons are read, and writing
// waits while the reader is behind, so memory stays flat for the 10,000 coupons a sheet holds.
import { once } from 'node:events';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

/**
 * Campaign names and discounts are set in DejaVu Sans (npm `dejavu-fonts-ttf`, Bitstream Vera
 * licence, embedded as a subset), which covers Latin, Greek, Cyrillic, Armenian, Georgian and
 * Hebrew letters; the PDF standard fonts know only Latin-1. Codes stay in Courier (ASCII only).
 */
const require = createRequire(import.meta.url);
const FONTS = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 28;
const COLUMNS = 3;
const ROWS = 5;
export const COUPONS_PER_PAGE = COLUMNS * ROWS;
const CELL_WIDTH = (A4.width - 2 * MARGIN) / COLUMNS;
const CELL_HEIGHT = (A4.height - 2 * MARGIN) / ROWS;
/** ~37 mm: phone cameras read it from a hand's length. */
const QR_SIZE = 105;
/** Bytes waiting to be read before rendering pauses. */
const HIGH_WATER = 1024 * 1024;

export interface SheetCoupon {
  displayCode: string;
  /** What the QR code encodes: the coupon's link, as qr.png and qr.svg encode it. */
  qrText: string;
}

export interface SheetHeading {
  campaignName: string;
  discount: string;
  title: string;
}

/** Where the coupon at `index` of a page sits (points from the page's top left), cutting lines included. */
export function sheetCell(index: number): { x: number; y: number; width: number; height: number } {
  return {
    x: MARGIN + (index % COLUMNS) * CELL_WIDTH,
    y: MARGIN + Math.floor(index / COLUMNS) * CELL_HEIGHT,
    width: CELL_WIDTH,
    height: CELL_HEIGHT,
  };
}

/** Squares for the dark modules, a run of neighbours in a row merged into one rectangle. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const count = qr.modules.size;
  // the 4 light modules around the symbol that ISO/IEC 18004 asks for: with 2, the cutting line
  // and the code under it sat close enough that a reader missed a code now and then
  const quiet = 4;
  const unit = QR_SIZE / (count + 2 * quiet);
  for (let row = 0; row < count; row++) {
    let runStart = -1;
    for (let column = 0; column <= count; column++) {
      const dark = column < count && qr.modules.get(row, column) === 1;
      if (dark && runStart < 0) runStart = column;
      if (!dark && runStart >= 0) {
        doc.rect(
          x + (quiet + runStart) * unit,
          y + (quiet + row) * unit,
          (column - runStart) * unit,
          unit,
        );
        runStart = -1;
      }
    }
  }
  doc.fill('black');
}

function drawCoupon(
  doc: PDFKit.PDFDocument,
  coupon: SheetCoupon,
  heading: SheetHeading,
  index: number,
): void {
  const { x, y } = sheetCell(index);
  doc
    .save()
    .lineWidth(0.3)
    .dash(3, { space: 3 })
    .strokeColor('#999999')
    .rect(x, y, CELL_WIDTH, CELL_HEIGHT)
    .stroke()
    .restore();
  drawQr(doc, coupon.qrText, x + (CELL_WIDTH - QR_SIZE) / 2, y + 6);
  const textWidth = CELL_WIDTH - 12;
  doc
    .fillColor('black')
    .font('Courier-Bold')
    .fontSize(8.5)
    .text(coupon.displayCode, x + 6, y + QR_SIZE + 8, {
      width: textWidth,
      align: 'center',
      lineBreak: false,
    });
  doc
    .font('SheetBold')
    .fontSize(7.5)
    .text(heading.campaignName, x + 6, y + QR_SIZE + 20, {
      width: textWidth,
      align: 'center',
      height: 9,
      ellipsis: true,
    });
  doc
    .font('SheetRegular')
    .fontSize(7.5)
    .text(heading.discount, x + 6, y + QR_SIZE + 29, {
      width: textWidth,
      align: 'center',
      height: 9,
      ellipsis: true,
    });
}

/** Waits while more than HIGH_WATER bytes are waiting for the reader; false once it is gone. */
async function readerKeepsUp(doc: PDFKit.PDFDocument): Promise<boolean> {
  while (!doc.destroyed && doc.readableLength > HIGH_WATER) {
    await Promise.race([once(doc, 'data'), once(doc, 'close')]);
  }
  return !doc.destroyed;
}

/**
 * The document, to be streamed; `pages` yields the coupons a page at a time (at most
 * COUPONS_PER_PAGE each) and is read only as fast as the reader takes the pages.
 */
export function renderSheet(
  heading: SheetHeading,
  pages: AsyncIterable<SheetCoupon[]>,
  onError: (error: unknown) => void,
): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 0,
    autoFirstPage: false,
    compress: true,
    info: { Title: heading.title, Creator: 'couponscan' },
  });
  doc.registerFont('SheetRegular', FONTS.regular);
  doc.registerFont('SheetBold', FONTS.bold);
  const write = async () => {
    let pageCount = 0;
    for await (const page of pages) {
      if (!(await readerKeepsUp(doc))) return;
      doc.addPage();
      pageCount += 1;
      page.forEach((coupon, index) => {
        drawCoupon(doc, coupon, heading, index);
      });
    }
    // a PDF needs a page
    if (pageCount === 0) doc.addPage();
    doc.end();
  };
  write().catch((error: unknown) => {
    onError(error);
    doc.destroy(error instanceof Error ? error : new Error(String(error)));
  });
  return doc;
}
