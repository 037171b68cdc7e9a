// QR images of coupons: what the caller may choose and the limits.
import { Type, type Static } from '@sinclair/typebox';

/** M or better: a sheet may be folded, smudged or printed small. */
export const QR_ERROR_CORRECTION_LEVELS = ['M', 'Q', 'H'] as const;

export const QrQuerySchema = Type.Object(
  {
    /** Width and height in pixels (PNG) or user units (SVG). */
    size: Type.Optional(Type.Integer({ minimum: 64, maximum: 2048, default: 256 })),
    /** Quiet zone in modules; the QR standard asks for 4. */
    margin: Type.Optional(Type.Integer({ minimum: 0, maximum: 16, default: 4 })),
    ecc: Type.Optional(
      Type.Union(
        QR_ERROR_CORRECTION_LEVELS.map((l) => Type.Literal(l)),
        { default: 'M' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type QrQuery = Static<typeof QrQuerySchema>;
