import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateRawSync,
  inflateRawSync,
} from 'node:zlib';
import { COMPRESSED_JSON_FORMATS } from '../table-layout.js';

/** How payloads and snapshot states are stored compressed. */
export interface PayloadCompression {
  /** JSON text longer than this many bytes (UTF-8) is compressed, when that makes it smaller. Default 1024. */
  readonly thresholdBytes?: number;
  /** `deflate` (default: zlib's raw deflate, level 6) or `brotli` (quality 5). */
  readonly algorithm?: keyof typeof COMPRESSED_JSON_FORMATS;
}

export type ResolvedCompression = Required<PayloadCompression>;

const DEFAULT_THRESHOLD_BYTES = 1024;
const BROTLI_QUALITY = 5;

/** The compression a store uses: on by default, `false` for none. */
export function resolveCompression(
  compression: PayloadCompression | false | undefined,
): ResolvedCompression | undefined {
  if (compression === false) return undefined;
  const thresholdBytes = compression?.thresholdBytes ?? DEFAULT_THRESHOLD_BYTES;
  if (!Number.isInteger(thresholdBytes) || thresholdBytes < 0) {
    throw new RangeError(
      `compression.thresholdBytes must be a whole number of bytes, 0 or more; got ${thresholdBytes}.`,
    );
  }
  const algorithm = compression?.algorithm ?? 'deflate';
  if (!(algorithm in COMPRESSED_JSON_FORMATS)) {
    throw new RangeError(
      `compression.algorithm must be one of ${Object.keys(COMPRESSED_JSON_FORMATS).join(', ')}; got ${String(algorithm)}.`,
    );
  }
  return { thresholdBytes, algorithm };
}

/**
 * JSON text as an attribute: a string, or, over the threshold, a binary of one format byte and the compressed text
 * (when that is smaller). DynamoDB charges and limits the stored bytes, so a compressed payload costs less and a
 * larger one fits in an item.
 */
export function jsonAttribute(
  json: string,
  compression: ResolvedCompression | undefined,
): AttributeValue {
  // A UTF-16 length at most a third of the threshold cannot be over it in UTF-8: no byte count needed.
  if (!compression || json.length * 3 <= compression.thresholdBytes) return { S: json };
  const text = Buffer.from(json);
  if (text.length <= compression.thresholdBytes) return { S: json };
  const compressed =
    compression.algorithm === 'brotli'
      ? brotliCompressSync(text, {
          params: {
            [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [constants.BROTLI_PARAM_SIZE_HINT]: text.length,
          },
        })
      : deflateRawSync(text);
  if (compressed.length + 1 >= text.length) return { S: json };
  return {
    B: Buffer.concat([Buffer.of(COMPRESSED_JSON_FORMATS[compression.algorithm]), compressed]),
  };
}

/** The JSON text of an attribute `jsonAttribute` wrote. */
export function jsonTextOf(value: AttributeValue): string {
  if (value.S !== undefined) return value.S;
  const bytes = value.B;
  if (bytes === undefined || bytes.length === 0) {
    throw new TypeError('not JSON text: neither a string nor a compressed binary');
  }
  const compressed = bytes.subarray(1);
  switch (bytes[0]) {
    case COMPRESSED_JSON_FORMATS.deflate:
      return inflateRawSync(compressed).toString('utf8');
    case COMPRESSED_JSON_FORMATS.brotli:
      return brotliDecompressSync(compressed).toString('utf8');
    default:
      throw new TypeError(
        `compressed in an unknown format (first byte ${bytes[0]}): written by a newer version of the store?`,
      );
  }
}
