package io.keyferry.engine.snapshot;

import java.io.IOException;

/** LZF decompression (liblzf's format), for the key names a snapshot stores compressed. */
final class Lzf {
    private Lzf() {}

    static byte[] decompress(byte[] in, int length) throws IOException {
        byte[] out = new byte[length];
        int ip = 0;
        int op = 0;
        try {
            while (ip < in.length) {
                int ctrl = in[ip++] & 0xFF;
                if (ctrl < 32) {                                 // a literal run of ctrl + 1 bytes
                    System.arraycopy(in, ip, out, op, ctrl + 1);
                    ip += ctrl + 1;
                    op += ctrl + 1;
                } else {                                         // a back reference
                    int len = ctrl >> 5;
                    int ref = op - ((ctrl & 0x1F) << 8) - 1;
                    if (len == 7) {
                        len += in[ip++] & 0xFF;
                    }
                    ref -= in[ip++] & 0xFF;
                    len += 2;
                    for (int i = 0; i < len; i++) {
                        out[op++] = out[ref++];
                    }
                }
            }
        } catch (IndexOutOfBoundsException e) {
            throw new IOException("an LZF-compressed string in the snapshot is corrupt");
        }
        if (op != length) {
            throw new IOException("an LZF-compressed string in the snapshot is " + op + " bytes, not " + length);
        }
        return out;
    }
}
